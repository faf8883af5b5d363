"""The outbox and its sender against the sandbox over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.config import DeliveryConfig
from bot.delivery.sender import Sender
from bot.delivery.telegram_transport import TelegramTransport
from bot.sandbox import Sandbox
from bot.services.clock import SystemClock
from bot.services.outbox import OutboxService
from bot.services.scheduling import Button, DatabaseScheduler, Outgoing
from bot.services.users import TelegramIdentity, UserService
from storage.database import Database
from storage.models import OutboxMessage, User

FAST = DeliveryConfig(rate_per_s=1000, per_chat_per_s=30, concurrency=16, poll_seconds=0.05)


@dataclass
class Rig:
    db: Database
    sandbox: Sandbox
    outbox: OutboxService
    scheduler: DatabaseScheduler
    bot: Bot

    def sender(self, settings: DeliveryConfig = FAST) -> Sender:
        return Sender(self.outbox, TelegramTransport(self.bot), settings)

    async def enqueue(self, key: str, chat_id: int, text: str, **kw: object) -> bool:
        self.sandbox.user(chat_id)  # the recipient has a chat with the bot
        async with self.db.transaction() as session:
            return await self.scheduler.enqueue(
                session, key, Outgoing(chat_id=chat_id, text=text, **kw)
            )  # type: ignore[arg-type]

    async def rows(self) -> dict[str, OutboxMessage]:
        async with self.db.read() as session:
            return {r.dedup_key: r for r in await session.scalars(select(OutboxMessage))}

    async def drain_all(self, sender: Sender, rounds: int = 20) -> None:
        """Drain repeatedly: messages put back for later (flood waits, retries) come due."""
        for _ in range(rounds):
            await sender.drain()
            report = await self.outbox.report()
            if not report.waiting:
                return
            # due in the future: make them due now rather than sleeping
            async with self.db.transaction() as session:
                from sqlalchemy import update

                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.status == "queued")
                    .values(due_at=SystemClock().now())
                )
        raise AssertionError(f"still waiting: {await self.outbox.report()}")


@pytest.fixture
async def rig(db: Database, sandbox: Sandbox) -> AsyncIterator[Rig]:
    clock = SystemClock()
    bot = Bot(sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url)
    async with bot:
        yield Rig(db, sandbox, OutboxService(db, clock), DatabaseScheduler(clock), bot)


async def test_enqueue_is_idempotent_and_transactional(rig: Rig) -> None:
    assert await rig.enqueue("notice:1", 1001, "hello")
    assert not await rig.enqueue("notice:1", 1001, "hello again")
    with pytest.raises(RuntimeError):
        async with rig.db.transaction() as session:
            await rig.scheduler.enqueue(session, "notice:2", Outgoing(chat_id=1001, text="x"))
            raise RuntimeError("the change that caused it failed")
    rows = await rig.rows()
    assert set(rows) == {"notice:1"} and rows["notice:1"].payload["text"] == "hello"


async def test_every_message_delivered_once_in_order_per_chat(rig: Rig) -> None:
    for n in range(120):
        await rig.enqueue(
            f"m:{n}", 1000 + n % 6, f"msg {n}", buttons=((Button("OK", callback_data=f"ok:{n}"),),)
        )
    stats = await rig.sender().drain()
    assert stats.sent == 120
    delivered = rig.sandbox.delivered()
    for chat in range(1000, 1006):
        texts = list(delivered[chat])
        assert all(count == 1 for count in delivered[chat].values())
        assert texts == [f"msg {n}" for n in range(120) if 1000 + n % 6 == chat]
    rows = await rig.rows()
    assert {r.status for r in rows.values()} == {"sent"}
    assert all(r.telegram_message_id for r in rows.values())
    msg = rig.sandbox.user(1000).messages[0]
    assert msg.buttons == [["OK"]]


async def test_flood_wait_slows_down_and_loses_nothing(rig: Rig) -> None:
    rig.sandbox.faults.add(kind="429", method="sendMessage", retry_after=1, times=3)
    for n in range(30):
        await rig.enqueue(f"m:{n}", 2000 + n, f"msg {n}")
    sender = rig.sender()
    await rig.drain_all(sender)
    assert sender.stats.flood_waits == 3 and sender.stats.sent == 30
    delivered = rig.sandbox.delivered()
    assert sorted(t for chat in delivered.values() for t in chat) == sorted(
        f"msg {n}" for n in range(30)
    )
    assert all(c == 1 for chat in delivered.values() for c in chat.values())
    rows = await rig.rows()
    assert max(r.attempts for r in rows.values()) == 1  # a flood wait is not an attempt


async def test_blocked_user_is_marked_unreachable_until_they_write(rig: Rig) -> None:
    users = UserService(rig.db, SystemClock(), "zh_CN")
    await users.touch(TelegramIdentity(3001, "Blocked"))
    rig.sandbox.user(3001).block()
    await rig.enqueue("a", 3001, "first")
    await rig.enqueue("b", 3002, "to someone else")
    await rig.sender().drain()
    await rig.enqueue("c", 3001, "second")
    await rig.sender().drain()
    rows = await rig.rows()
    assert rows["a"].status == "failed" and "blocked" in (rows["a"].last_error or "")
    assert rows["b"].status == "sent"
    assert rows["c"].status == "failed" and "unreachable" in (rows["c"].last_error or "")
    async with rig.db.read() as session:
        user = await session.scalar(select(User).where(User.telegram_id == 3001))
    assert user is not None and user.unreachable_since is not None
    assert [r.method for r in rig.sandbox.requests if r.chat_id == 3001].count(
        "sendMessage"
    ) == 1  # nothing was tried after the 403
    rig.sandbox.user(3001).unblock()
    await users.touch(TelegramIdentity(3001, "Blocked"))  # they write to the bot again
    await rig.enqueue("d", 3001, "welcome back")
    await rig.sender().drain()
    assert (await rig.rows())["d"].status == "sent"


async def test_bad_request_fails_that_message_alone(rig: Rig) -> None:
    await rig.enqueue("bad", 4001, "<b>unclosed")
    await rig.enqueue("good", 4002, "<b>fine</b>")
    stats = await rig.sender().drain()
    rows = await rig.rows()
    assert rows["good"].status == "sent"
    assert rows["bad"].status == "failed"
    assert "can't parse entities" in (rows["bad"].last_error or "").lower()
    assert stats.failed == 1 and rows["bad"].attempts == 1


async def test_server_errors_are_retried_then_given_up(rig: Rig) -> None:
    rig.sandbox.faults.add(kind="5xx", chat_id=5001, times=2)
    rig.sandbox.faults.add(kind="5xx", chat_id=5002)
    await rig.enqueue("flaky", 5001, "eventually")
    await rig.enqueue("down", 5002, "never")
    sender = rig.sender(DeliveryConfig(**{**FAST.model_dump(), "max_attempts": 3}))
    await rig.drain_all(sender)
    rows = await rig.rows()
    assert rows["flaky"].status == "sent" and rows["flaky"].attempts == 3
    assert rows["down"].status == "failed" and rows["down"].attempts == 3
    assert (rows["down"].last_error or "").startswith("gave up after 3 attempts")


async def test_cancelled_before_sending_is_not_sent(rig: Rig) -> None:
    await rig.enqueue("reminder:1", 6001, "soon")
    async with rig.db.transaction() as session:
        await rig.scheduler.cancel(session, "reminder:1")
    await rig.sender().drain()
    assert (await rig.rows())["reminder:1"].status == "cancelled"
    assert 6001 not in rig.sandbox.delivered()


async def test_a_message_due_later_waits(rig: Rig) -> None:
    async with rig.db.transaction() as session:
        await rig.scheduler.enqueue(
            session,
            "later",
            Outgoing(chat_id=7001, text="later"),
            at=SystemClock().now() + timedelta(hours=1),
        )
    await rig.sender().drain()
    assert (await rig.rows())["later"].status == "queued"
