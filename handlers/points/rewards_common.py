"""What the rewards handlers share: a reward's card sent with its photo when it has one,
and the pressed message settled (its text or caption replaced, its buttons taken off)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import callback_data as callbacks
from handlers.common import Reply

log = logging.getLogger(__name__)


def button(label: str, prefix: str, *parts: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.encode(prefix, *parts))


async def show_list(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    rows: list[list[InlineKeyboardButton]],
) -> None:
    """A list (its empty rows left out): in place of the pressed one, or a new message
    for a command."""
    markup = InlineKeyboardMarkup([row for row in rows if row])
    if update.callback_query is not None:
        await Reply(update, context).edit_or_send(text, markup)
    else:
        await Reply(update, context).send(text, markup)


async def send_card(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None,
    photo: str | None,
) -> Message:
    """``text`` with the reward's photo (as its caption, when short enough), else alone."""
    chat = update.effective_chat
    assert chat is not None
    if photo is not None and len(text) <= MessageLimit.CAPTION_LENGTH:
        try:
            return await context.bot.send_photo(chat.id, photo, caption=text, reply_markup=markup)
        except BadRequest as exc:  # a file_id Telegram no longer knows: the words alone
            log.info("could not send the reward's photo: %s", exc)
    return await Reply(update, context).send(text, markup)


async def settle(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """The pressed message now says ``text`` (a photo's caption, or the text), with
    ``markup`` or no buttons; a new message when it cannot be edited."""
    query = update.callback_query
    message = query.message if query is not None else None
    if isinstance(message, Message):
        try:
            if message.photo and len(text) <= MessageLimit.CAPTION_LENGTH:
                await message.edit_caption(caption=text, reply_markup=markup)
                return
            if message.text:
                await message.edit_text(text, reply_markup=markup)
                return
        except BadRequest as exc:
            if "not modified" in str(exc):
                return
            log.info("could not edit the pressed message, sending a new one: %s", exc)
    await Reply(update, context).send(text, markup)
