"""The outbox as the sender and the operators see it: claim due messages under a lease,
record what happened to each (holding what is meant for someone the bot cannot reach),
and report the queue's state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from bot.services.kernel.clock import Clock, SystemClock
from bot.services.kernel.scheduling import Outgoing
from storage.database import Database
from storage.enums import OutboxStatus
from storage.repositories import outbox as outbox_repo
from storage.repositories import users as users_repo


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    attempt: int  # 1 for the first try
    message: Outgoing
    claimed_at: datetime


@dataclass(frozen=True)
class OutboxReport:
    counts: dict[str, int]
    failures: list[tuple[str, int]]
    oldest_due: datetime | None
    # held messages by why their recipients are unreachable: (reason, people, messages)
    held: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return self.counts.get("queued", 0) + self.counts.get("sending", 0)


Settled = Literal["held", "requeued", "failed"]


class OutboxService:
    """``clock`` is the bot's (when a person was found unreachable, when a message was
    sent: facts about people); ``wall`` is the queue's own time — when a message falls
    due, how long a lease lasts, when a retry is tried — and always the real time, so a
    retry or an expired lease falls due however the bot's clock is moved (a test's
    clock that stands still, the sandbox's time travel)."""

    def __init__(self, db: Database, clock: Clock, wall: Clock | None = None) -> None:
        self.db = db
        self.clock = clock
        self.wall = wall or SystemClock()

    async def claim(self, limit: int, lease: timedelta) -> tuple[list[Claimed], int]:
        """Messages to send now, and how many due ones were held instead (their
        recipient cannot be reached)."""
        now, claimed_at = self.wall.now(), self.clock.now()
        async with self.db.transaction() as session:
            rows, held = await outbox_repo.claim(session, now, now + lease, limit)
            return [
                Claimed(
                    id=row.id,
                    key=row.dedup_key,
                    attempt=row.attempts + 1,
                    message=Outgoing.from_row(
                        row.chat_id,
                        row.kind,
                        dict(row.payload),
                        row.user_id,
                        row.priority,
                        row.paid_broadcast,
                    ),
                    claimed_at=claimed_at,
                )
                for row in rows
            ], held

    async def sent(self, results: Sequence[tuple[int, int | None]]) -> None:
        """(outbox id, Telegram message id) of messages Telegram accepted."""
        async with self.db.transaction() as session:
            await outbox_repo.mark_sent(session, results, self.clock.now())

    async def failed(self, message_id: int, reason: str) -> None:
        async with self.db.transaction() as session:
            await outbox_repo.settle(
                session, message_id, status=OutboxStatus.FAILED.value, error=reason[:300]
            )

    async def unreachable(self, claimed: Claimed, why: str, reason: str) -> Settled:
        """Telegram said the person cannot be reached (``why``: blocked the bot, or never
        opened it): they are marked unreachable and the message is held until they write
        to the bot again. If they wrote since the message was claimed, the answer is
        already out of date and it goes back to the queue; a chat that is no user of the
        bot fails as before (there is nobody to hold it for)."""
        chat_id = claimed.message.chat_id
        async with self.db.transaction() as session:
            if await outbox_repo.mark_unreachable(
                session, chat_id, self.clock.now(), why, claimed.claimed_at
            ):
                await outbox_repo.settle(
                    session, claimed.id, status=OutboxStatus.HELD.value, error=reason[:300]
                )
                return "held"
            if not await users_repo.by_telegram_id(session, chat_id):
                await outbox_repo.settle(
                    session, claimed.id, status=OutboxStatus.FAILED.value, error=reason[:300]
                )
                return "failed"
            await outbox_repo.requeue(
                session, claimed.id, self.wall.now(), reason[:300], refund_attempt=True
            )
            return "requeued"

    async def retry_later(
        self, message_id: int, delay: timedelta, reason: str, flood_wait: bool = False
    ) -> None:
        async with self.db.transaction() as session:
            await outbox_repo.requeue(
                session,
                message_id,
                self.wall.now() + delay,
                reason[:300],
                refund_attempt=flood_wait,
            )

    async def report(self) -> OutboxReport:
        async with self.db.read() as session:
            return OutboxReport(
                counts=await outbox_repo.counts(session),
                failures=await outbox_repo.failure_reasons(session),
                oldest_due=await outbox_repo.oldest_due(session),
                held=await outbox_repo.held_by_reason(session),
            )
