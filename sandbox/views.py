"""Read-only views handed to tests and the control API: messages, events, answers, requests."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sandbox.keyboards import inline_labels


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars), cheaper than
    ``copy.deepcopy``, which was the sandbox's largest cost per sent message (figures:
    ``bench/README.md``, "Sandbox views: JSON copies")."""
    kind = type(value)
    if kind is dict:
        return {k: json_copy(v) for k, v in value.items()}
    if kind is list:
        return [json_copy(v) for v in value]
    if kind in (str, int, float, bool) or value is None:
        return value
    return copy.deepcopy(value)


@dataclass(frozen=True)
class BotMessage:
    """One message of a chat as it is (or was, in an event); bot's unless ``from_bot`` is False."""

    message_id: int
    chat_id: int
    date: int
    text: str | None  # plain text after entity parsing
    html: str | None  # the text (or caption) exactly as the bot sent it
    entities: list[dict[str, Any]]
    caption: str | None
    reply_markup: dict[str, Any] | None  # as sent: inline, reply keyboard, remove, force_reply
    buttons: list[list[str]]  # labels of the inline keyboard, by row
    callback_data: dict[str, str]  # inline button label -> callback_data
    photo: list[dict[str, Any]] | None
    document: dict[str, Any] | None
    location: dict[str, Any] | None
    contact: dict[str, Any] | None
    edited: bool
    from_bot: bool
    raw: dict[str, Any] = field(repr=False)

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has ("" for neither)."""
        return self.text or self.caption or ""

    def data_for(self, label: str) -> str:
        try:
            return self.callback_data[label]
        except KeyError:
            raise KeyError(
                f"no inline button {label!r} with callback data; has {self.buttons}"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "date": self.date,
            "text": self.text,
            "html": self.html,
            "entities": self.entities,
            "caption": self.caption,
            "reply_markup": self.reply_markup,
            "buttons": self.buttons,
            "callback_data": self.callback_data,
            "photo": self.photo,
            "document": self.document,
            "location": self.location,
            "contact": self.contact,
            "edited": self.edited,
            "from_bot": self.from_bot,
        }

    @classmethod
    def build(
        cls,
        message: dict[str, Any],
        *,
        from_bot: bool,
        html: str | None,
        markup: dict[str, Any] | None,
        edited: bool,
    ) -> BotMessage:
        message = json_copy(message)
        markup = json_copy(markup)
        data: dict[str, str] = {}
        if markup and "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    if "callback_data" in button:
                        data.setdefault(button["text"], button["callback_data"])
        return cls(
            message_id=message["message_id"],
            chat_id=message["chat"]["id"],
            date=message["date"],
            text=message.get("text"),
            html=html,
            entities=message.get("entities") or message.get("caption_entities") or [],
            caption=message.get("caption"),
            reply_markup=markup,
            buttons=inline_labels(markup),
            callback_data=data,
            photo=message.get("photo"),
            document=message.get("document"),
            location=message.get("location"),
            contact=message.get("contact"),
            edited=edited,
            from_bot=from_bot,
            raw=message,
        )


@dataclass(frozen=True)
class ChatEvent:
    """Something that happened in a chat, in order (``seq`` is sandbox-wide)."""

    seq: int
    kind: str  # user_message, callback_query, sent, edited, deleted, callback_answer, chat_action
    chat_id: int
    bot_id: int
    time: float
    message_id: int | None = None
    message: BotMessage | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def by_bot(self) -> bool:
        return self.kind in ("sent", "edited", "deleted", "callback_answer", "chat_action")

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "bot_id": self.bot_id,
            "time": self.time,
            "message_id": self.message_id,
            "message": self.message.to_dict() if self.message else None,
            "data": self.data,
        }


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery to a press."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
            "cache_time": self.cache_time,
        }


@dataclass
class LoggedRequest:
    """One Bot API call the bot made, as the sandbox decoded and answered it."""

    method: str
    params: dict[str, Any]
    status: int
    ok: bool
    description: str | None
    chat_id: int | None
    bot_id: int | None = None
    http_method: str = "POST"

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "params": self.params,
            "status": self.status,
            "ok": self.ok,
            "description": self.description,
            "chat_id": self.chat_id,
            "bot_id": self.bot_id,
            "http_method": self.http_method,
        }
