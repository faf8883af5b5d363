"""Numeric limits: read from the spec's descriptions, else python-telegram-bot's constants."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sandbox.spec import ApiSpec

_RANGE_RE = re.compile(r"(\d+)-(\d+) (?:characters|bytes)")
_AT_MOST_RE = re.compile(r"At most (\d+) commands")


def _ptb_defaults() -> Limits:
    try:
        from telegram import constants as c
    except ImportError:  # the emulator runs without the bot's dependencies too
        return Limits()
    return Limits(
        text_min=int(c.MessageLimit.MIN_TEXT_LENGTH),
        text_max=int(c.MessageLimit.MAX_TEXT_LENGTH),
        caption_max=int(c.MessageLimit.CAPTION_LENGTH),
        callback_data_min=int(c.InlineKeyboardButtonLimit.MIN_CALLBACK_DATA),
        callback_data_max=int(c.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA),
        inline_buttons_total=int(c.InlineKeyboardMarkupLimit.TOTAL_BUTTON_NUMBER),
        inline_buttons_per_row=int(c.InlineKeyboardMarkupLimit.BUTTONS_PER_ROW),
        answer_text_max=int(c.CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH),
        command_min=int(c.BotCommandLimit.MIN_COMMAND),
        command_max=int(c.BotCommandLimit.MAX_COMMAND),
        command_description_min=int(c.BotCommandLimit.MIN_DESCRIPTION),
        command_description_max=int(c.BotCommandLimit.MAX_DESCRIPTION),
        commands_max=int(c.BotCommandLimit.MAX_COMMAND_NUMBER),
        updates_limit_max=int(c.PollingLimit.MAX_LIMIT),
    )


@dataclass(frozen=True)
class Limits:
    text_min: int = 1
    text_max: int = 4096
    caption_max: int = 1024
    callback_data_min: int = 1
    callback_data_max: int = 64
    inline_buttons_total: int = 100
    inline_buttons_per_row: int = 8
    answer_text_max: int = 200
    answer_window_s: float = 15.0
    command_min: int = 1
    command_max: int = 32
    command_description_min: int = 1
    command_description_max: int = 256
    commands_max: int = 100
    updates_limit_max: int = 100
    source: str = "python-telegram-bot constants"

    @classmethod
    def for_spec(cls, spec: ApiSpec) -> Limits:
        limits = _ptb_defaults()
        if not spec.from_file:
            return limits

        def span(desc: str | None) -> tuple[int, int] | None:
            m = _RANGE_RE.search(desc or "")
            return (int(m.group(1)), int(m.group(2))) if m else None

        def method_desc(method: str, name: str) -> str | None:
            f = spec.method_field(method, name)
            return f.description if f else None

        def type_desc(type_name: str, name: str) -> str | None:
            f = spec.type_field(type_name, name)
            return f.description if f else None

        found: dict[str, int] = {}
        if text := span(method_desc("sendMessage", "text")):
            found["text_min"], found["text_max"] = text
        if caption := span(method_desc("sendPhoto", "caption")):
            found["caption_max"] = caption[1]
        if data := span(type_desc("InlineKeyboardButton", "callback_data")):
            found["callback_data_min"], found["callback_data_max"] = data
        if answer := span(method_desc("answerCallbackQuery", "text")):
            found["answer_text_max"] = answer[1]
        if command := span(type_desc("BotCommand", "command")):
            found["command_min"], found["command_max"] = command
        if description := span(type_desc("BotCommand", "description")):
            found["command_description_min"], found["command_description_max"] = description
        m = _AT_MOST_RE.search(method_desc("setMyCommands", "commands") or "")
        if m:
            found["commands_max"] = int(m.group(1))
        return replace(limits, source="the spec's descriptions", **found)
