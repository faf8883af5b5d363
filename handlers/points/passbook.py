"""/passbook (存折): one's own movements, 10 a page with ◀ ▶, newest first; /points: the
balance, and hours and points this month, this year and in all. Both show only the
presser's own account (the services take no one else's id), so a forged page press
can at most show another page of one's own passbook."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.i18n import Markup
from bot.messages.common import points_text
from bot.messages.points import entry_line, summary_text
from bot.messages.recognition import stars_line
from handlers.common import Reply, answer, domain_errors, me, services, tr
from handlers.paging import nav_row, pressed_page
from handlers.service_day.common import timezone_of

PAGE = "pb"  # pb:<page>


async def show_passbook(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    t = tr(context)
    result = await services(context).points.passbook(me(context), page)
    if not result.total:
        await Reply(update, context).edit_or_send(t("passbook.empty"))
        return
    balance = await services(context).points.balance(me(context))
    lines = [
        t.ngettext(
            "passbook.title",
            result.total,
            balance=points_text(balance),
            page=result.page + 1,
            pages=result.pages,
            total=result.total,
        )
    ]
    lines += [entry_line(t, e, timezone_of(context)) for e in result.items]
    markup = InlineKeyboardMarkup([row]) if (row := nav_row(PAGE, result)) else None
    await Reply(update, context).edit_or_send(Markup("\n\n".join(lines)), markup)


@domain_errors
async def passbook_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_passbook(update, context, 0)


@domain_errors
async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    page = pressed_page(update, PAGE)
    await answer(update)
    await show_passbook(update, context, page)


@domain_errors
async def points_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    summary = await services(context).points.summary(me(context))
    stars = await services(context).stars.standing(me(context).id)
    text = f"{summary_text(tr(context), summary)}\n{stars_line(tr(context), stars)}"
    await Reply(update, context).send(text)


HANDLERS = [
    CommandHandler("passbook", passbook_command),
    CommandHandler("points", points_command),
    CallbackQueryHandler(on_page, pattern=callbacks.pattern(PAGE)),
]
