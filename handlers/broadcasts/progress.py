"""The coordinator's live progress message of a broadcast (bot/messages/broadcasts.py
``progress_text``): sent when it is sent, edited by the progress rounds
(bot/background.py), and its buttons — pause, resume, cancel (asked first). Every press
is re-checked by the service against the presser's rights now; a press that comes
after someone else moved the broadcast is told so and shown where it is."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.messages import broadcasts as words
from bot.services.broadcasts.views import Progress
from bot.services.kernel.errors import AlreadyDecided, NotAllowed
from handlers.common import (
    Reply,
    answer,
    answer_error,
    domain_errors,
    inline_markup,
    me,
    pressed_ids,
    services,
    tr,
)


def _message(
    context: ContextTypes.DEFAULT_TYPE, progress: Progress, asking: bool = False
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The progress message's text and buttons (``asking``: whether to cancel)."""
    t = tr(context)
    markup = inline_markup(words.progress_buttons(t, progress, asking_cancel=asking))
    return words.progress_text(t, progress, services(context).broadcasts.timezone), markup


async def show(
    update: Update, context: ContextTypes.DEFAULT_TYPE, progress: Progress, asking: bool = False
) -> None:
    await Reply(update, context).edit_or_send(*_message(context, progress, asking))


async def send_progress(
    update: Update, context: ContextTypes.DEFAULT_TYPE, broadcast_id: int
) -> None:
    """The progress message, below the confirmation; the rounds edit it from here."""
    broadcasts = services(context).broadcasts
    progress = await broadcasts.progress(broadcast_id)
    sent = await Reply(update, context).send(*_message(context, progress))
    await broadcasts.attach_progress(broadcast_id, sent.chat_id, sent.message_id)


@domain_errors
async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    broadcast_id, action = pressed_ids(update, callbacks.BROADCAST_CONTROL, 2)
    broadcasts, user = services(context).broadcasts, me(context)
    try:
        if action == words.PAUSE:
            progress = await broadcasts.pause(user, broadcast_id)
        elif action == words.RESUME:
            progress = await broadcasts.resume(user, broadcast_id)
            wake_sender(context.application)
        elif action == words.CANCEL_YES:
            progress = await broadcasts.cancel(user, broadcast_id)
        elif action in (words.CANCEL, words.CANCEL_NO):
            progress = await broadcasts.controlled_progress(user, broadcast_id)
        else:
            raise NotAllowed("no such action")
    except AlreadyDecided as error:
        await answer_error(update, context, error)
        await show(update, context, await broadcasts.progress(broadcast_id))
        return
    await answer(update)
    await show(update, context, progress, asking=action == words.CANCEL)


HANDLERS = [
    CallbackQueryHandler(on_press, pattern=callbacks.pattern(callbacks.BROADCAST_CONTROL)),
]
