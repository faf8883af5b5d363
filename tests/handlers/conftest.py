"""Handler tests: real ``telegram.Update`` objects fed to ``Application.process_update``
(no polling); the bot's requests are answered by the sandbox, which also records what
each simulated user was sent."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import CallbackQuery, Chat, Message, MessageEntity, Update, User
from telegram.ext import Application

from bot.app import build_application
from bot.config import DeliveryConfig, load_config
from bot.container import Services
from bot.delivery.sender import Sender, SenderStats
from bot.delivery.telegram_transport import TelegramTransport
from handlers.menus import menus
from sandbox import BotMessage, CallbackAnswer, Sandbox, SandboxUser
from sandbox.state import CallbackRecord
from storage.database import Database
from tests.support.services import ORG_FILE, FakeClock, Org, load_org

_update_ids = itertools.count(1)
_message_ids = itertools.count(100_000)


@dataclass
class Person:
    """Someone writing to the bot: builds their updates, runs them through the bot, and
    reads what the bot sent them from the sandbox."""

    app: Application  # type: ignore[type-arg]
    chat_view: SandboxUser
    user: User
    last_press: CallbackRecord | None = field(default=None)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def chat(self) -> Chat:
        return Chat(self.user.id, Chat.PRIVATE, first_name=self.user.first_name)

    def message(self, text: str) -> Update:
        entities = []
        if text.startswith("/"):
            command = text.split()[0]
            entities.append(MessageEntity(MessageEntity.BOT_COMMAND, 0, len(command)))
        message = Message(
            message_id=next(_message_ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user,
            text=text,
            entities=entities,
        )
        message.set_bot(self.app.bot)
        return Update(next(_update_ids), message=message)

    def press_update(self, label: str, message: BotMessage | None = None) -> Update:
        """A press of the inline button ``label`` (on the newest message that has it):
        the sandbox registers the query so the bot can answer it."""
        view = message or next(
            (m for m in reversed(self.chat_view.messages) if label in m.callback_data), None
        )
        if view is None:
            shown = [m.buttons for m in self.chat_view.messages if m.buttons]
            raise AssertionError(f"no message with a button {label!r}: {shown}")
        return self.press_update_data(view, view.data_for(label))

    def press_update_data(self, view: BotMessage, data: str) -> Update:
        """A press with any callback data (forged, or from an old message) on ``view``."""
        record = self.chat_view.send_callback(view.message_id, data)
        self.last_press = record
        query = CallbackQuery(
            id=record.id,
            from_user=self.user,
            chat_instance=self.chat_view.chat.chat_instance,
            message=Message.de_json(view.raw, self.app.bot),
            data=data,
        )
        query.set_bot(self.app.bot)
        return Update(next(_update_ids), callback_query=query)

    async def process(self, update: Update) -> list[BotMessage]:
        """Run the update through the bot; what the bot sent or edited in this chat."""
        self.chat_view.mark()
        await self.app.process_update(update)
        return self.replies()

    async def send(self, text: str) -> list[BotMessage]:
        return await self.process(self.message(text))

    async def press(self, label: str, message: BotMessage | None = None) -> list[BotMessage]:
        return await self.process(self.press_update(label, message))

    def replies(self) -> list[BotMessage]:
        return [
            e.message
            for e in self.chat_view.events_since_last_action()
            if e.kind in ("sent", "edited") and e.message is not None
        ]

    def texts(self) -> list[str]:
        return [m.content for m in self.replies()]

    @property
    def answer(self) -> CallbackAnswer | None:
        """The bot's answer to the last press (None: not answered)."""
        return self.last_press.answer if self.last_press else None


@dataclass
class Harness:
    app: Application  # type: ignore[type-arg]
    sandbox: Sandbox
    db: Database
    clock: FakeClock
    org: Org

    @property
    def services(self) -> Services:
        return self.app.bot_data["services"]  # type: ignore[no-any-return]

    async def deliver(self) -> SenderStats:
        """Send what the handlers queued in the outbox (notices to other people), the
        campaigns' recipients written first (as the bot's fan-out does)."""
        await self.services.campaigns.materialise()
        settings = DeliveryConfig(rate_per_s=1000, per_chat_per_s=30, poll_seconds=0.01)
        sender = Sender(self.services.outbox, TelegramTransport(self.app.bot), settings)
        return await sender.drain()

    def person(
        self,
        telegram_id: int,
        first_name: str = "",
        language_code: str | None = "zh-hans",
        **extra: Any,
    ) -> Person:
        name = first_name or f"User{telegram_id}"
        view = self.sandbox.user(telegram_id, first_name=name, language_code=language_code or "")
        user = User(telegram_id, name, is_bot=False, language_code=language_code, **extra)
        return Person(self.app, view, user)


@pytest.fixture
async def harness(sandbox: Sandbox, db: Database) -> AsyncIterator[Harness]:
    config = load_config(
        environ={},
        overrides={
            "org": {"file": str(ORG_FILE)},
            "telegram": {"base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url},
        },
    )
    clock = FakeClock()
    app = build_application(config, db=db, clock=clock, token=sandbox.token)
    org = await load_org(app.bot_data["services"])
    await app.initialize()
    try:
        yield Harness(app, sandbox, db, clock, org)
    finally:
        await menus(app).drain()  # the chat menus being set in the background
        await app.shutdown()
