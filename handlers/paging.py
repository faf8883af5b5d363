"""The ◀ ▶ row under a paged list (pending volunteers, the review queue, open orders),
and a list's two handlers: its command and its page presses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import ContextTypes

from bot import callback_data as callbacks
from bot.services.kernel.dto import Page
from handlers.common import answer, domain_errors

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def nav_row(prefix: str, result: Page, *before: int | str) -> list[InlineKeyboardButton]:
    """Buttons to the previous and next page (callback ``prefix:*before:page``); empty
    when the list fits on one page."""
    row = []
    if result.page > 0:
        row.append(
            InlineKeyboardButton(
                "◀", callback_data=callbacks.encode(prefix, *before, result.page - 1)
            )
        )
    if result.page + 1 < result.pages:
        row.append(
            InlineKeyboardButton(
                "▶", callback_data=callbacks.encode(prefix, *before, result.page + 1)
            )
        )
    return row


def pressed_page(update: Update, prefix: str) -> int:
    """The page a ◀ ▶ button (``prefix:page``) asks for; the first page for data that
    does not decode (a list is always safe to show from the start)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parsed = callbacks.decode_ints(query.data, prefix, 1)
    return max(0, parsed[0]) if parsed else 0


def paged(
    show: Callable[[Update, ContextTypes.DEFAULT_TYPE, int], Awaitable[None]], prefix: str
) -> tuple[Handler, Handler]:
    """The handlers of a list ``show`` shows a page of: its command (the first page)
    and its ◀ ▶ presses (``prefix:page``, answered first); domain errors as replies."""

    @domain_errors
    async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await show(update, context, 0)

    @domain_errors
    async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await answer(update)
        await show(update, context, pressed_page(update, prefix))

    return on_command, on_page
