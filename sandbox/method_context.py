"""What a Bot API method implementation gets, and the helpers they share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import CHAT_NOT_FOUND, bad_request, forbidden
from sandbox.keyboards import markup_kind
from sandbox.limits import Limits
from sandbox.state import BotState, ChatState, StoredMessage, World


@dataclass
class Call:
    world: World
    bot: BotState
    method: str
    params: dict[str, Any]
    limits: Limits
    on_webhook_change: Callable[[BotState], None] = field(default=lambda bot: None)

    def chat(self, key: str = "chat_id") -> ChatState:
        """The chat named by ``params[key]``; 400 "chat not found" otherwise."""
        chat = self.world.find_chat(self.bot, self.params[key])
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        return chat

    def target_chat(self) -> ChatState:
        """The chat a message is sent to: it must exist and not have blocked the bot."""
        chat = self.chat()
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    def bot_user(self) -> dict[str, Any]:
        me = self.bot.me
        return {k: me[k] for k in ("id", "is_bot", "first_name", "username")}


Handler = Callable[[Call], Awaitable[Any]]


def message_in(chat: ChatState, message_id: int, missing: str) -> StoredMessage:
    stored = chat.messages.get(message_id)
    if stored is None:
        raise bad_request(missing)
    return stored


def apply_markup(chat: ChatState, stored: StoredMessage, markup: dict[str, Any] | None) -> None:
    """Put an inline keyboard on the message; a reply keyboard (or its removal) on the chat."""
    kind = markup_kind(markup)
    if kind == "inline" and markup:
        stored.message["reply_markup"] = markup
    elif kind == "reply":
        chat.reply_keyboard = markup
    elif kind == "remove":
        chat.reply_keyboard = None


def reply_to(call: Call, chat: ChatState) -> dict[str, Any]:
    """``reply_to_message`` content for ``reply_parameters`` (empty when there are none)."""
    params = call.params.get("reply_parameters")
    if not params:
        return {}
    source = chat
    if params.get("chat_id") is not None:
        source = call.world.find_chat(call.bot, params["chat_id"]) or chat
    stored = source.messages.get(params["message_id"])
    if stored is None:
        if params.get("allow_sending_without_reply"):
            return {}
        raise bad_request("message to be replied not found")
    replied = {k: v for k, v in stored.message.items() if k != "reply_to_message"}
    return {"reply_to_message": replied}
