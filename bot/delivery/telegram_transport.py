"""Sends an outbox message with the bot and classifies Telegram's answer."""

from __future__ import annotations

import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.delivery.sender import Outcome
from bot.services.kernel.scheduling import Button, Outgoing
from storage.enums import UnreachableReason

# Text messages go through Bot.do_api_request, which returns Telegram's JSON instead of
# building a Message object, a large share of the sender's CPU per message (see
# bench/README.md, section "Text messages without a Message object"); PTB warns when
# do_api_request names a method it wraps, so not for this one.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning)

# An edit that finds nothing to do has done its job: the text is already the wanted one,
# or the message is gone (so is what it showed).
EDIT_DONE = ("message is not modified", "message to edit not found")
# A user who never opened the bot has no chat with it yet: Telegram answers 400 "chat not
# found" until they press Start. Like a 403, it is the person, not the message.
CHAT_NOT_FOUND = "chat not found"


def _button_dict(button: Button) -> dict[str, str]:
    data = {"text": button.text}
    if button.callback_data is not None:
        data["callback_data"] = button.callback_data
    if button.url is not None:
        data["url"] = button.url
    return data


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.callback_data, url=b.url) for b in row]
            for row in message.buttons
        ]
    )


def _file(ref: str) -> str | InputFile:
    path = Path(ref)
    if not ref.startswith(("http://", "https://")) and path.is_file():
        return InputFile(path.read_bytes(), filename=path.name)
    return ref  # a file_id or a URL


def retry_after_seconds(exc: RetryAfter) -> float:
    # a timedelta with PTB_TIMEDELTA (set in bot/__init__.py), seconds without it
    value: int | float | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramTransport:
    def __init__(self, bot: Bot, allow_paid_broadcast: bool = False) -> None:
        self.bot = bot
        self.allow_paid_broadcast = allow_paid_broadcast

    async def send(self, message: Outgoing) -> Outcome:
        extra: dict[str, Any] = {}
        if message.paid_broadcast and self.allow_paid_broadcast:
            extra["allow_paid_broadcast"] = True
        markup = _markup(message) if message.kind != "text" else None
        try:
            if message.kind == "photo" and message.file:
                sent = await self.bot.send_photo(
                    message.chat_id,
                    _file(message.file),
                    caption=message.text or None,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    **extra,
                )
            elif message.kind == "document" and message.file:
                sent = await self.bot.send_document(
                    message.chat_id,
                    _file(message.file),
                    caption=message.text or None,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    **extra,
                )
            elif message.kind == "edit" and message.edit_message_id is not None:
                # without reply_markup Telegram removes the inline keyboard
                await self.bot.edit_message_text(
                    message.text,
                    chat_id=message.chat_id,
                    message_id=message.edit_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                return Outcome(True, message_id=message.edit_message_id)
            else:
                params: dict[str, Any] = {
                    "chat_id": message.chat_id,
                    "text": message.text,
                    "parse_mode": ParseMode.HTML.value,
                    **extra,
                }
                if message.buttons:
                    params["reply_markup"] = {
                        "inline_keyboard": [
                            [_button_dict(b) for b in row] for row in message.buttons
                        ]
                    }
                result = await self.bot.do_api_request("sendMessage", api_kwargs=params)
                return Outcome(True, message_id=int(result["message_id"]))
        except RetryAfter as exc:
            return Outcome(False, retry_after=retry_after_seconds(exc), reason=str(exc))
        except Forbidden as exc:  # blocked the bot, or deactivated
            return Outcome(
                False, unreachable=UnreachableReason.BLOCKED, reason=f"forbidden: {exc.message}"
            )
        except BadRequest as exc:
            text = exc.message.lower()
            if message.kind == "edit" and text.startswith(EDIT_DONE):
                return Outcome(True, message_id=message.edit_message_id, reason=exc.message)
            if text.startswith(CHAT_NOT_FOUND) and message.chat_id > 0:
                return Outcome(
                    False,
                    unreachable=UnreachableReason.NOT_STARTED,
                    reason=f"bad request: {exc.message}",
                )
            return Outcome(False, permanent=True, reason=f"bad request: {exc.message}")
        except NetworkError as exc:  # timeouts, 5xx, connection errors: worth a retry
            return Outcome(False, reason=f"{type(exc).__name__}: {exc.message}")
        except TelegramError as exc:  # e.g. ChatMigrated: not going to work as it is
            return Outcome(False, permanent=True, reason=f"{type(exc).__name__}: {exc.message}")
        return Outcome(True, message_id=sent.message_id)
