"""Simulated users and groups: what they do produces real Updates for the bot."""

from __future__ import annotations

import copy
import re
from typing import Any

from sandbox.chat_view import ChatView, describe_events
from sandbox.errors import NoSuchButton, SandboxTimeout
from sandbox.keyboards import button_label
from sandbox.state import BotState, CallbackRecord, ChatState, World
from sandbox.views import BotMessage, CallbackAnswer
from telegram_html import utf16_len

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
_SELF: Any = object()
HANYANG = (30.5495, 114.2187)  # default location shared by a request_location button


def text_content(text: str) -> dict[str, Any]:
    """A user's text message as Telegram delivers it: a leading /command gets its entity."""
    content: dict[str, Any] = {"text": text}
    m = _COMMAND_RE.match(text)
    if m:
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(m[0])}]
    return content


class SandboxUser(ChatView):
    """A user in a private chat with one bot (chat id = user id)."""

    def __init__(self, world: World, bot: BotState, user_id: int) -> None:
        super().__init__(world, bot, world.private_chat(bot, user_id))
        self.id = user_id

    @property
    def user_id(self) -> int:
        return self.id

    @property
    def profile(self) -> dict[str, Any]:
        """The Telegram User object of this user."""
        return dict(self.world.profiles[self.id])

    @property
    def phone_number(self) -> str:
        return self.world.phones[self.id]

    @property
    def first_name(self) -> str:
        return str(self.profile["first_name"])

    def __repr__(self) -> str:
        return f"<SandboxUser {self.id} {self.first_name!r} with bot {self.bot.bot_id}>"

    # sending --------------------------------------------------------------------------------
    async def _post(self, content: dict[str, Any]) -> dict[str, Any]:
        if self.chat.blocked:
            self.unblock()
        stored = self.world.add_message(self.chat, self.profile, content, from_bot=False)
        self._mark = self.world.record(self.chat, "user_message", stored).seq
        self.world.push_update(self.bot, "message", copy.deepcopy(stored.message))
        return copy.deepcopy(stored.message)

    async def send(self, text: str) -> dict[str, Any]:
        """The user sends ``text``; returns the user's Message object."""
        return await self._post(text_content(text))

    async def send_photo(
        self, data: bytes = b"\x89PNG\r\n\x1a\n photo", caption: str | None = None
    ) -> dict[str, Any]:
        """The user sends a photo (stored, so the bot can send it on by its file id),
        with a plain ``caption``; returns the user's Message object."""
        stored = self.world.store_file(data, None, "image/jpeg", "photo")
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 1280,
            "height": 720,
            "file_size": len(data),
        }
        content: dict[str, Any] = {"photo": [size]}
        if caption is not None:
            content["caption"] = caption
        return await self._post(content)

    async def send_document(
        self, data: bytes, file_name: str, mime_type: str | None
    ) -> dict[str, Any]:
        """The user sends a file (a document, not a photo)."""
        stored = self.world.store_file(data, file_name, mime_type, "document")
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "file_size": len(data),
        }
        if mime_type:
            document["mime_type"] = mime_type
        return await self._post({"document": document})

    async def command(self, command: str, args: str = "") -> dict[str, Any]:
        text = command if command.startswith("/") else f"/{command}"
        return await self.send(f"{text} {args}" if args else text)

    async def share_contact(
        self,
        phone_number: str | None = None,
        first_name: str | None = None,
        user_id: int | None = _SELF,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """Share a contact: by default the user's own (``user_id`` = self); ``user_id=None``
        or another id shares someone else's."""
        own = user_id is _SELF or user_id == self.id
        contact: dict[str, Any] = {
            "phone_number": phone_number or (self.phone_number if own else "+8613900000000"),
            "first_name": first_name or (self.first_name if own else "Contact"),
        }
        if last_name:
            contact["last_name"] = last_name
        elif own and "last_name" in self.profile:
            contact["last_name"] = self.profile["last_name"]
        if user_id is _SELF:
            contact["user_id"] = self.id
        elif user_id is not None:
            contact["user_id"] = user_id
        return await self._post({"contact": contact})

    async def share_location(
        self, latitude: float = HANYANG[0], longitude: float = HANYANG[1]
    ) -> dict[str, Any]:
        return await self._post({"location": {"latitude": latitude, "longitude": longitude}})

    # buttons --------------------------------------------------------------------------------
    async def tap(
        self,
        label: str,
        *,
        shared_user_ids: list[int] | None = None,
        shared_chat_id: int | None = None,
        latitude: float = HANYANG[0],
        longitude: float = HANYANG[1],
    ) -> dict[str, Any]:
        """Press a button of the chat's current reply keyboard."""
        markup = self.chat.reply_keyboard
        if markup is None:
            raise NoSuchButton(f"{self!r}: the chat shows no reply keyboard (tapping {label!r})")
        button = next(
            (b for row in markup["keyboard"] for b in row if button_label(b) == label), None
        )
        if button is None:
            raise NoSuchButton(
                f"{self!r}: no reply button {label!r}; the keyboard is {self.reply_keyboard}"
            )
        if markup.get("one_time_keyboard"):
            self.chat.reply_keyboard = None
        if isinstance(button, str):
            return await self.send(button)
        if button.get("request_contact"):
            return await self.share_contact()
        if button.get("request_location"):
            return await self.share_location(latitude, longitude)
        if button.get("request_users"):
            if not shared_user_ids:
                raise ValueError(f"button {label!r} requests users: pass shared_user_ids=[...]")
            request_id = button["request_users"]["request_id"]
            users = [{"user_id": uid} for uid in shared_user_ids]
            return await self._post({"users_shared": {"request_id": request_id, "users": users}})
        if button.get("request_chat"):
            if shared_chat_id is None:
                raise ValueError(f"button {label!r} requests a chat: pass shared_chat_id=...")
            request_id = button["request_chat"]["request_id"]
            return await self._post(
                {"chat_shared": {"request_id": request_id, "chat_id": shared_chat_id}}
            )
        if any(button.get(k) for k in ("request_poll", "web_app", "request_managed_bot")):
            raise NotImplementedError(f"the sandbox does not simulate button {button}")
        return await self.send(label)

    def _message_with_button(self, label: str, message: BotMessage | int | None) -> BotMessage:
        if message is None:
            for candidate in reversed(self.messages):
                if any(label in row for row in candidate.buttons):
                    return candidate
            shown = [m.buttons for m in self.messages if m.buttons]
            raise NoSuchButton(f"{self!r}: no message has an inline button {label!r}; {shown}")
        message_id = message if isinstance(message, int) else message.message_id
        stored = self.chat.messages.get(message_id)
        if stored is None:
            raise NoSuchButton(f"{self!r}: message {message_id} is not in the chat")
        view = stored.view()
        if not any(label in row for row in view.buttons):
            raise NoSuchButton(
                f"{self!r}: message {message_id} has no inline button {label!r}: {view.buttons}"
            )
        return view

    async def press(
        self, label: str, message: BotMessage | int | None = None, timeout: float = 10
    ) -> CallbackAnswer:
        """Press an inline button by its label; wait for and return the bot's answer."""
        view = self._message_with_button(label, message)
        button = next(
            b
            for row in (view.reply_markup or {}).get("inline_keyboard", [])
            for b in row
            if b["text"] == label
        )
        if "callback_data" not in button:
            raise NoSuchButton(f"{self!r}: button {label!r} is not a callback button: {button}")
        return await self.press_data(view.message_id, button["callback_data"], timeout=timeout)

    async def press_data(self, message_id: int, data: str, timeout: float = 10) -> CallbackAnswer:
        """A press with arbitrary callback data on ``message_id`` (forged or stale)."""
        record = self.send_callback(message_id, data)
        answered = await self.world.signal.wait_until(lambda: record.answer is not None, timeout)
        if not answered or record.answer is None:
            raise SandboxTimeout(
                f"{self!r}: the bot did not answer the callback query {data!r} on message "
                f"{message_id} within {timeout}s; since the press the chat received: "
                f"{describe_events(self.events_since_last_action())}"
            )
        return record.answer

    def send_callback(self, message_id: int, data: str) -> CallbackRecord:
        """Deliver the callback_query update without waiting for the answer."""
        world, bot = self.world, self.bot
        record = CallbackRecord(
            id=world.new_callback_id(bot),
            bot_id=bot.bot_id,
            chat_id=self.chat.id,
            message_id=message_id,
            user_id=self.id,
            data=data,
            created=world.now(),
        )
        bot.callbacks[record.id] = record
        stored = self.chat.messages.get(message_id)
        message = (
            copy.deepcopy(stored.message)
            if stored is not None
            else {"chat": dict(self.chat.chat), "message_id": message_id, "date": 0}
        )
        query = {
            "id": record.id,
            "from": self.profile,
            "message": message,
            "chat_instance": self.chat.chat_instance,
            "data": data,
        }
        event = world.record(
            self.chat, "callback_query", message_id=message_id,
            data={"callback_query_id": record.id, "data": data},
        )  # fmt: skip
        self._mark = event.seq
        world.push_update(bot, "callback_query", query)
        return record

    # blocking -------------------------------------------------------------------------------
    def block(self) -> None:
        """The user blocks the bot: sends then fail with 403, a my_chat_member update comes."""
        if not self.chat.blocked:
            self.chat.blocked = True
            self._member_update("member", "kicked")

    def unblock(self) -> None:
        if self.chat.blocked:
            self.chat.blocked = False
            self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> None:
        bot_user = {k: self.bot.me[k] for k in ("id", "is_bot", "first_name", "username")}

        def member(status: str) -> dict[str, Any]:
            m: dict[str, Any] = {"status": status, "user": bot_user}
            if status == "kicked":
                m["until_date"] = 0
            return m

        self.world.push_update(
            self.bot,
            "my_chat_member",
            {
                "chat": dict(self.chat.chat),
                "from": self.profile,
                "date": int(self.world.now()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )


class SandboxGroup(ChatView):
    """A group, supergroup or channel the bot is in; members post with :meth:`send`."""

    def __init__(self, world: World, bot: BotState, chat: ChatState) -> None:
        super().__init__(world, bot, chat)

    @property
    def title(self) -> str:
        return str(self.chat.chat.get("title", ""))

    def add_member(self, user: SandboxUser | int) -> None:
        self.chat.members.add(user if isinstance(user, int) else user.id)

    async def send(self, user: SandboxUser | None, text: str) -> dict[str, Any]:
        """``user`` posts ``text`` (None: the channel itself posts)."""
        sender = None if user is None else self.world.profiles[user.id]
        if user is not None:
            self.add_member(user)
        stored = self.world.add_message(self.chat, sender, text_content(text), from_bot=False)
        self._mark = self.world.record(self.chat, "user_message", stored).seq
        kind = "channel_post" if self.chat.type == "channel" else "message"
        self.world.push_update(self.bot, kind, copy.deepcopy(stored.message))
        return copy.deepcopy(stored.message)
