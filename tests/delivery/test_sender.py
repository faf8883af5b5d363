"""The outbox and its sender against the sandbox over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.config import DeliveryConfig
from bot.delivery.outbox import OutboxService
from bot.delivery.sender import Sender
from bot.delivery.telegram_transport import TelegramTransport
from bot.messages.notifier import MessageNotifier
from bot.services.kernel.clock import SystemClock
from bot.services.kernel.scheduling import Button, DatabaseScheduler, Outgoing
from bot.services.people.held import HeldMessages
from bot.services.people.users import TelegramIdentity, UserService
from sandbox import Sandbox
from storage.database import Database
from storage.models import OutboxMessage, User
from storage.repositories import users as users_repo

ZONE = "Asia/Shanghai"  # of the times in notices
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

    def users(self) -> UserService:
        clock = SystemClock()
        held = HeldMessages(self.db, clock, MessageNotifier(self.scheduler, ZONE), "zh_CN")
        return UserService(self.db, clock, "zh_CN", held=held)

    async def enqueue(
        self, key: str, chat_id: int, text: str, chat: bool = True, **kw: object
    ) -> bool:
        if chat:
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


def sends_to(rig: Rig, chat_id: int) -> int:
    return [r.method for r in rig.sandbox.requests if r.chat_id == chat_id].count("sendMessage")


async def unreachable(rig: Rig, telegram_id: int) -> tuple[object, str | None]:
    async with rig.db.read() as session:
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    assert user is not None
    return user.unreachable_since, user.unreachable_reason


async def test_blocked_user_messages_are_held_until_they_write(rig: Rig) -> None:
    """A 403 holds the message and marks the user unreachable; later messages are held
    without a send attempt; when they write to the bot again, what was held is sent, in
    order, and new messages go straight out."""
    users = rig.users()
    await users.touch(TelegramIdentity(3001, "Blocked"))
    rig.sandbox.user(3001).block()
    await rig.enqueue("a", 3001, "first")
    await rig.enqueue("b", 3002, "to someone else")
    stats = await rig.sender().drain()
    await rig.enqueue("c", 3001, "second")
    stats = await rig.sender().drain()
    rows = await rig.rows()
    assert rows["a"].status == "held" and "blocked" in (rows["a"].last_error or "")
    assert rows["b"].status == "sent"
    assert rows["c"].status == "held" and rows["c"].attempts == 0
    assert stats.unreachable == 1
    since, why = await unreachable(rig, 3001)
    assert since is not None and why == "blocked"
    assert sends_to(rig, 3001) == 1  # nothing was tried after the 403
    report = await rig.outbox.report()
    assert report.counts["held"] == 2 and report.held == [("blocked", 1, 2)]
    assert report.failures == []  # held is not failed

    rig.sandbox.user(3001).unblock()
    await users.touch(TelegramIdentity(3001, "Blocked"))  # they write to the bot again
    assert await unreachable(rig, 3001) == (None, None)
    await rig.enqueue("d", 3001, "welcome back")
    await rig.sender().drain()
    rows = await rig.rows()
    assert {k: rows[k].status for k in "acd"} == {"a": "sent", "c": "sent", "d": "sent"}
    assert list(rig.sandbox.delivered()[3001]) == ["first", "second", "welcome back"]


async def test_a_user_who_never_opened_the_bot_is_held_like_a_blocked_one(rig: Rig) -> None:
    """400 "chat not found" (someone bound by `admin add` who never sent /start) holds
    the message and marks them unreachable, as a 403 does; a chat id that is nobody the
    bot knows fails as a bad request, as before."""
    async with rig.db.transaction() as session:
        await users_repo.ensure(session, 3101, first_name="")  # as `admin add` does
    await rig.enqueue("first", 3101, "a request waits", chat=False)
    await rig.enqueue("stranger", 3199, "to nobody", chat=False)
    await rig.sender().drain()
    await rig.enqueue("second", 3101, "a volunteer waits", chat=False)
    await rig.sender().drain()
    rows = await rig.rows()
    assert rows["first"].status == "held"
    assert "chat not found" in (rows["first"].last_error or "").lower()
    assert rows["second"].status == "held" and rows["second"].attempts == 0
    assert rows["stranger"].status == "failed"
    assert "chat not found" in (rows["stranger"].last_error or "").lower()
    assert (await unreachable(rig, 3101))[1] == "not_started"
    assert sends_to(rig, 3101) == 1
    assert (await rig.outbox.report()).held == [("not_started", 1, 2)]

    person = rig.sandbox.user(3101, language_code="en")
    await person.send("/start")  # the chat exists from now on
    await rig.users().touch(TelegramIdentity(3101, "Admin", language_code="en"))
    await rig.sender().drain()
    assert list(rig.sandbox.delivered()[3101]) == ["a request waits", "a volunteer waits"]


async def test_a_refusal_older_than_the_persons_last_word_does_not_hold(rig: Rig) -> None:
    """Telegram answered "chat not found" to a send claimed before the person wrote to
    the bot (their chat exists now): the message goes back to the queue instead."""
    clock = SystemClock()
    async with rig.db.transaction() as session:
        user = await users_repo.ensure(session, 3201, first_name="")
    await rig.enqueue("m", 3201, "hello", chat=False)
    (claimed,), held = await rig.outbox.claim(10, timedelta(seconds=30))
    assert held == 0
    async with rig.db.transaction() as session:  # they sent /start meanwhile
        row = await session.get(User, user.id)
        assert row is not None
        row.last_seen_at = clock.now()
    settled = await rig.outbox.unreachable(claimed, "not_started", "bad request: Chat not found")
    assert settled == "requeued"
    rows = await rig.rows()
    assert rows["m"].status == "queued" and rows["m"].attempts == 0
    assert await unreachable(rig, 3201) == (None, None)


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


async def test_a_retry_falls_due_on_the_queue_s_own_time_while_the_bot_s_clock_stands_still(
    db: Database, sandbox: Sandbox
) -> None:
    """The bot's clock stands still (a test's, or the sandbox between two time-travel
    jumps): a message Telegram failed with a 5xx is retried once the outbox's own
    time has passed its backoff — the bot's clock does not hold it back."""
    from tests.support.services import START, FakeClock

    frozen, wall = FakeClock(START), FakeClock(START)
    sandbox.faults.add(kind="5xx", method="sendMessage", times=1)
    bot = Bot(sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url)
    async with bot:
        rig = Rig(
            db, sandbox, OutboxService(db, frozen, wall), DatabaseScheduler(frozen, wall), bot
        )
        await rig.enqueue("m", 3301, "after a fault")
        sender = rig.sender()
        assert (await sender.drain()).retried == 1
        assert (await sender.drain()).sent == 0  # its backoff has not passed yet
        wall.advance(seconds=3)
        assert (await sender.drain()).sent == 1
    assert frozen.now() == START
    assert sandbox.delivered()[3301] == {"after a fault": 1}
