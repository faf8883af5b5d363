"""/broadcasts: a coordinator's list of the broadcasts of their unit and below, newest
first, 5 a page (◀ ▶): when, by which unit, to whom, the first line, and what became
of its copies (delivered, waiting, unreachable, failed)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.messages import broadcasts as words
from handlers.common import Reply, me, services, tr
from handlers.paging import nav_row, paged

PAGE = "zb"  # zb:<page>


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    broadcasts = services(context).broadcasts
    result = await broadcasts.listing(me(context), page)
    nav = nav_row(PAGE, result)
    text = words.listing(tr(context), result, broadcasts.timezone)
    await Reply(update, context).edit_or_send(text, InlineKeyboardMarkup([nav]) if nav else None)


on_command, on_page = paged(show, PAGE)

HANDLERS = [
    CommandHandler("broadcasts", on_command),
    CallbackQueryHandler(on_page, pattern=callbacks.pattern(PAGE)),
]
