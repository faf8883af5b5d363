"""Bot API methods about the bot itself: identity, commands, menu button, callbacks, files."""

from __future__ import annotations

import json
import re
from typing import Any

from sandbox.errors import QUERY_TOO_OLD, bad_request
from sandbox.method_context import Call
from sandbox.state import DEFAULT_MENU_BUTTON
from sandbox.views import CallbackAnswer
from telegram_html import utf16_len

_COMMAND_RE = re.compile(r"^[a-z0-9_]+$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_CHAT_SCOPES = ("chat", "chat_administrators", "chat_member")


async def get_me(call: Call) -> dict[str, Any]:
    return dict(call.bot.me)


async def log_out(call: Call) -> bool:
    return True


async def close(call: Call) -> bool:
    return True


async def get_chat(call: Call) -> dict[str, Any]:
    chat = call.chat()
    return {
        **chat.chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def _scope_key(call: Call) -> tuple[str, str]:
    scope: dict[str, Any] = call.params.get("scope") or {"type": "default"}
    if scope["type"] in _CHAT_SCOPES:
        chat = call.world.find_chat(call.bot, scope["chat_id"])
        if chat is None:
            raise bad_request("chat not found")
        scope = {**scope, "chat_id": chat.id}
    language = call.params.get("language_code", "")
    if language and not _LANGUAGE_RE.match(language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


def command_scope_key(
    scope: dict[str, Any] | None = None, language_code: str = ""
) -> tuple[str, str]:
    """The key ``BotState.commands`` is stored under, for tests that inspect it directly."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


async def set_my_commands(call: Call) -> bool:
    limits = call.limits
    commands: list[dict[str, Any]] = call.params["commands"]
    if len(commands) > limits.commands_max:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        name = command["command"]
        if not (limits.command_min <= len(name) <= limits.command_max) or not _COMMAND_RE.match(
            name
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        description = command["description"]
        if not (
            limits.command_description_min
            <= utf16_len(description.strip())
            <= limits.command_description_max
        ):
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = _scope_key(call)
    if commands:
        call.bot.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        call.bot.commands.pop(key, None)
    return True


async def get_my_commands(call: Call) -> list[dict[str, Any]]:
    return list(call.bot.commands.get(_scope_key(call), []))


async def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(_scope_key(call), None)
    return True


async def set_chat_menu_button(call: Call) -> bool:
    button = call.params.get("menu_button") or dict(DEFAULT_MENU_BUTTON)
    if call.params.get("chat_id") is None:
        call.bot.menu_button = button
        return True
    chat = call.chat()
    if chat.type != "private":
        raise bad_request("menu button can be set only in private chats")
    chat.menu_button = None if button.get("type") == "default" else button
    return True


async def get_chat_menu_button(call: Call) -> dict[str, Any]:
    if call.params.get("chat_id") is None:
        return dict(call.bot.menu_button)
    chat = call.chat()
    return dict(chat.menu_button or call.bot.menu_button)


async def answer_callback_query(call: Call) -> bool:
    p = call.params
    record = call.bot.callbacks.get(p["callback_query_id"])
    world = call.world
    if (
        record is None
        or record.answer is not None
        or world.now() - record.created > call.limits.answer_window_s
    ):
        raise bad_request(QUERY_TOO_OLD)
    text = p.get("text")
    if text is not None and utf16_len(text) > call.limits.answer_text_max:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answer = CallbackAnswer(
        text=text or None,
        show_alert=bool(p.get("show_alert", False)),
        url=p.get("url"),
        cache_time=p.get("cache_time"),
    )
    chat = call.bot.chats.get(record.chat_id)
    if chat is not None:
        world.record(
            chat,
            "callback_answer",
            message_id=record.message_id,
            data={"callback_query_id": record.id, **record.answer.to_dict()},
        )
    world.signal.fire()
    return True


async def get_file(call: Call) -> dict[str, Any]:
    stored = call.world.files.get(call.params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    result: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.size is not None:
        result["file_size"] = stored.size
    if stored.data is not None and stored.file_path:
        result["file_path"] = stored.file_path
    return result
