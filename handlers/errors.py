"""The one error handler: log the traceback, tell the user a short apology in their
language, never show internals."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.i18n import get_translator, language_from_telegram
from handlers.common import ME_KEY, answer

log = logging.getLogger("volunteer_bot.errors")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("unhandled error while processing %r", update, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    known = (context.user_data or {}).get(ME_KEY)
    who = update.effective_user
    language = (
        known.language if known else language_from_telegram(who.language_code if who else None)
    )
    text = get_translator(language)("error.internal")
    try:
        await answer(update)  # unless the handler did (Telegram takes one answer)
        await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as exc:
        log.warning("could not send the apology: %s", exc)
    # the update failed: later handler groups must not run on it (after a failure in the
    # pre-group they would run without the user, fail again and apologise twice)
    raise ApplicationHandlerStop
