"""The ◀ ▶ row under a paged list (pending volunteers, the review queue, open orders)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot import callback_data as callbacks
from bot.services.kernel.dto import Page


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
