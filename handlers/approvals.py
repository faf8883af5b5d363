"""Coordinators approve or decline pending volunteers of their unit (/pending)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.rendering import volunteer_card
from bot.services.volunteers import PAGE_SIZE
from handlers.common import (
    Reply,
    StaleButton,
    answer,
    domain_errors,
    me,
    pressed_ids,
    services,
    tr,
)
from handlers.paging import nav_row, pressed_page

DECIDE = callbacks.DECIDE_VOLUNTEER
PAGE = "vp"  # vp:<page>


async def show_pending(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    t = tr(context)
    result = await services(context).volunteers.pending(me(context), page)
    if not result.total:
        await Reply(update, context).edit_or_send(t("approval.none"))
        return
    lines: list[str] = [
        t("approval.list_title", total=result.total, page=result.page + 1, pages=result.pages)
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for n, v in enumerate(result.items, start=1 + result.page * PAGE_SIZE):
        lines.append(f"\n<b>{n}.</b> " + volunteer_card(t, v, with_status=False))
        rows.append(
            [
                InlineKeyboardButton(
                    t.plain("button.approve_name", name=v.real_name),
                    callback_data=callbacks.encode(DECIDE, v.user_id, 1),
                ),
                InlineKeyboardButton(
                    t.plain("button.decline_name", name=v.real_name),
                    callback_data=callbacks.encode(DECIDE, v.user_id, 0),
                ),
            ]
        )
    if nav := nav_row(PAGE, result):
        rows.append(nav)
    await Reply(update, context).edit_or_send("\n".join(lines), InlineKeyboardMarkup(rows))


@domain_errors
async def pending_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_pending(update, context, 0)


@domain_errors
async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer(update)
    await show_pending(update, context, pressed_page(update, PAGE))


@domain_errors
async def on_decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    user_id, approve = pressed_ids(update, DECIDE, 2)
    if approve not in (0, 1):
        raise StaleButton(f"{DECIDE}:{user_id}:{approve}")
    decision = await services(context).volunteers.decide(me(context), user_id, bool(approve))
    v = decision.volunteer
    key = "approval.approved" if decision.approved else "approval.declined"
    await answer(update, t.plain(key, name=v.real_name))
    await Reply(update, context).edit_or_send(
        t(key, name=v.real_name) + "\n" + volunteer_card(t, v, with_status=False)
    )
    wake_sender(context.application)  # the volunteer's notice is queued


HANDLERS = [
    CommandHandler("pending", pending_command),
    CallbackQueryHandler(on_decide, pattern=callbacks.pattern(DECIDE)),
    CallbackQueryHandler(on_page, pattern=callbacks.pattern(PAGE)),
]
