"""The simulated world's state: bots (one per token), users, chats, messages, updates, files."""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.change_signal import Signal
from sandbox.views import BotMessage, CallbackAnswer, ChatEvent

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{20,}$")
UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "guest_message", "message_reaction", "message_reaction_count", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
    "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member",
    "chat_join_request", "chat_boost", "removed_chat_boost", "managed_bot",
)  # fmt: skip
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}
DEFAULT_UPDATE_TYPES = frozenset(t for t in UPDATE_TYPES if t not in NOT_BY_DEFAULT)
DEFAULT_MENU_BUTTON: dict[str, Any] = {"type": "commands"}


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None
    file_path: str | None = None

    @property
    def size(self) -> int | None:
        return len(self.data) if self.data is not None else None


@dataclass
class StoredMessage:
    message: dict[str, Any]  # the Message object as the Bot API returns it, edits applied
    from_bot: bool
    html: str | None = None
    markup: dict[str, Any] | None = None
    edited: bool = False

    def view(self) -> BotMessage:
        return BotMessage.build(
            self.message, from_bot=self.from_bot, html=self.html, markup=self.markup,
            edited=self.edited,
        )  # fmt: skip


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class CallbackRecord:
    id: str
    bot_id: int
    chat_id: int
    message_id: int
    user_id: int
    data: str | None
    created: float
    answer: CallbackAnswer | None = None


@dataclass
class ChatState:
    chat: dict[str, Any]  # the Chat object
    bot_id: int
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    reply_keyboard: dict[str, Any] | None = None
    menu_button: dict[str, Any] | None = None
    blocked: bool = False
    members: set[int] = field(default_factory=set)
    chat_instance: str = ""

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def type(self) -> str:
        return str(self.chat["type"])

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def bot_messages(self) -> list[StoredMessage]:
        return [m for m in self.messages.values() if m.from_bot]


@dataclass
class BotState:
    bot_id: int
    token: str
    me: dict[str, Any]
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1
    allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
    webhook: Webhook | None = None
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    menu_button: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_MENU_BUTTON))
    chats: dict[int, ChatState] = field(default_factory=dict)
    callbacks: dict[str, CallbackRecord] = field(default_factory=dict)
    poll_generation: int = 0
    closed: bool = False


def bot_identity(bot_id: int) -> dict[str, Any]:
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": "Sandbox Bot",
        "username": f"sandbox_{bot_id}_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


class World:
    """Everything simulated, shared by the Bot API side and the user side."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self.bots: dict[int, BotState] = {}
        self.profiles: dict[int, dict[str, Any]] = {}  # user id -> User object
        self.phones: dict[int, str] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.events: list[ChatEvent] = []
        self.signal = Signal()
        self.clock: Callable[[], float] = clock or time.time
        self.clock_offset = 0.0
        self.frozen_at: float | None = None
        self._seq = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self.closing = False
        # benchmarks: any positive chat id is a user who has started the bot
        self.open_chats = False
        self.watchers = 0  # control API long polls waiting for chat events right now

    # time -------------------------------------------------------------------------------
    def now(self) -> float:
        """The sandbox's time: the clock (``time.time`` unless injected) plus the advances,
        or, while frozen, the frozen moment plus the advances since."""
        base = self.frozen_at if self.frozen_at is not None else self.clock()
        return base + self.clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox's clock on (callback query expiry, message dates, flood limits)."""
        self.clock_offset += seconds
        self.signal.fire()

    def freeze_clock(self, at: float | None = None) -> float:
        """Stop the clock at ``at`` (seconds since the epoch; now if None): from then on only
        :meth:`advance_clock` moves it. Returns the frozen time."""
        self.frozen_at = self.now() if at is None else float(at)
        self.clock_offset = 0.0
        return self.frozen_at

    def unfreeze_clock(self) -> None:
        """Let the clock run again from where it stands (time does not jump)."""
        if self.frozen_at is not None:
            self.clock_offset = self.frozen_at + self.clock_offset - self.clock()
            self.frozen_at = None

    # bots -------------------------------------------------------------------------------
    def bot(self, token: str) -> BotState | None:
        """The bot of a well-formed token (created on first use), or None for a malformed one."""
        m = TOKEN_RE.match(token)
        if m is None:
            return None
        bot_id = int(m.group(1))
        if bot_id not in self.bots:
            self.bots[bot_id] = BotState(bot_id, token, bot_identity(bot_id))
        return self.bots[bot_id]

    # users and chats ----------------------------------------------------------------------
    def set_profile(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        phone_number: str | None = None,
    ) -> dict[str, Any]:
        profile: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            profile["last_name"] = last_name
        if username:
            profile["username"] = username
        if language_code:
            profile["language_code"] = language_code
        self.profiles[user_id] = profile
        self.phones[user_id] = phone_number or default_phone(user_id)
        return profile

    def private_chat(self, bot: BotState, user_id: int) -> ChatState:
        chat = bot.chats.get(user_id)
        if chat is None:
            profile = self.profiles[user_id]
            info = {"id": user_id, "type": "private", "first_name": profile["first_name"]}
            for key in ("last_name", "username"):
                if key in profile:
                    info[key] = profile[key]
            chat = ChatState(info, bot.bot_id, chat_instance=_chat_instance(bot.bot_id, user_id))
            bot.chats[user_id] = chat
        return chat

    def group_chat(
        self, bot: BotState, chat_id: int, title: str, chat_type: str, username: str | None
    ) -> ChatState:
        chat = bot.chats.get(chat_id)
        if chat is None:
            info: dict[str, Any] = {"id": chat_id, "type": chat_type, "title": title}
            if username:
                info["username"] = username
            chat = ChatState(info, bot.bot_id, chat_instance=_chat_instance(bot.bot_id, chat_id))
            bot.chats[chat_id] = chat
        return chat

    def find_chat(self, bot: BotState, chat_id: int | str) -> ChatState | None:
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if isinstance(chat_id, int):
            chat = bot.chats.get(chat_id)
            if chat is None and self.open_chats and chat_id > 0:
                if chat_id not in self.profiles:
                    self.set_profile(chat_id, f"User {chat_id}")
                chat = self.private_chat(bot, chat_id)
            return chat
        name = chat_id.lstrip("@").lower()
        for chat in bot.chats.values():
            if str(chat.chat.get("username", "")).lower() == name:
                return chat
        return None

    # messages -----------------------------------------------------------------------------
    def add_message(
        self,
        chat: ChatState,
        sender: dict[str, Any] | None,
        content: dict[str, Any],
        *,
        from_bot: bool,
        html: str | None = None,
        markup: dict[str, Any] | None = None,
    ) -> StoredMessage:
        message: dict[str, Any] = {"message_id": chat.take_message_id()}
        if sender is not None:
            message["from"] = sender
        if chat.type == "channel":
            message["sender_chat"] = dict(chat.chat)
        message["chat"] = dict(chat.chat)
        message["date"] = int(self.now())
        message.update(content)
        stored = StoredMessage(message, from_bot, html, markup)
        chat.messages[message["message_id"]] = stored
        return stored

    def record(
        self,
        chat: ChatState,
        kind: str,
        stored: StoredMessage | None = None,
        message_id: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> ChatEvent:
        event = ChatEvent(
            seq=next(self._seq),
            kind=kind,
            chat_id=chat.id,
            bot_id=chat.bot_id,
            time=self.now(),
            message_id=message_id if message_id is not None else (
                stored.message["message_id"] if stored else None
            ),
            message=stored.view() if stored else None,
            data=data or {},
        )  # fmt: skip
        self.events.append(event)
        chat.events.append(event)
        self.signal.fire()
        return event

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    # updates ------------------------------------------------------------------------------
    def push_update(self, bot: BotState, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for the bot (dropped, as by Telegram, if allowed_updates excludes it).

        Returns the update (with its update_id even when dropped).
        """
        update = {"update_id": bot.next_update_id, kind: payload}
        bot.next_update_id += 1
        if kind in bot.allowed_updates:
            bot.updates.append(update)
            self.signal.fire()
        return update

    def new_callback_id(self, bot: BotState) -> str:
        return f"{bot.bot_id}{next(self._callback_ids):010d}{secrets.randbelow(1000):03d}"

    # files --------------------------------------------------------------------------------
    def store_file(
        self,
        data: bytes | None,
        file_name: str | None,
        mime_type: str | None,
        kind: str,
        url: str | None = None,
    ) -> StoredFile:
        digest = hashlib.sha256((data or (url or "").encode()) + kind.encode()).hexdigest()
        file_id = f"SBX{kind[:3].upper()}{len(self.files) + 1:06d}{digest[:24]}"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"U{digest[:15]}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            url=url,
            file_path=f"{kind}s/file_{len(self.files) + 1}{_suffix(file_name)}",
        )
        self.files[file_id] = stored
        if stored.file_path:
            self.files_by_path[stored.file_path] = stored
        return stored


def default_phone(user_id: int) -> str:
    """A valid-looking Chinese mobile number derived from the user id."""
    return f"+86138{user_id % 10**8:08d}"


def _chat_instance(bot_id: int, chat_id: int) -> str:
    return str(int(hashlib.sha256(f"{bot_id}:{chat_id}".encode()).hexdigest()[:15], 16))


def _suffix(file_name: str | None) -> str:
    if file_name and "." in file_name:
        ext = file_name.rsplit(".", 1)[1]
        if ext.isalnum() and len(ext) <= 8:
            return "." + ext
    return ""
