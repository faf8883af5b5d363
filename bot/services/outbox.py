"""The outbox as the sender and the operators see it: claim due messages under a lease,
record what happened to each, and report the queue's state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.clock import Clock
from bot.services.scheduling import Outgoing
from storage.database import Database
from storage.enums import OutboxStatus
from storage.repositories import outbox as outbox_repo


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    attempt: int  # 1 for the first try
    message: Outgoing
    unreachable: bool  # the recipient blocked the bot: do not send


@dataclass(frozen=True)
class OutboxReport:
    counts: dict[str, int]
    failures: list[tuple[str, int]]
    oldest_due: datetime | None

    @property
    def waiting(self) -> int:
        return self.counts.get("queued", 0) + self.counts.get("sending", 0)


class OutboxService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def claim(self, limit: int, lease: timedelta) -> list[Claimed]:
        now = self.clock.now()
        async with self.db.transaction() as session:
            rows = await outbox_repo.claim(session, now, now + lease, limit)
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
                    unreachable=unreachable,
                )
                for row, unreachable in rows
            ]

    async def sent(self, results: Sequence[tuple[int, int | None]]) -> None:
        """(outbox id, Telegram message id) of messages Telegram accepted."""
        async with self.db.transaction() as session:
            await outbox_repo.mark_sent(session, results, self.clock.now())

    async def failed(self, message_id: int, reason: str) -> None:
        async with self.db.transaction() as session:
            await outbox_repo.settle(
                session, message_id, status=OutboxStatus.FAILED.value, error=reason[:300]
            )

    async def unreachable(self, message_id: int, chat_id: int, reason: str) -> None:
        """Telegram said 403: the user blocked the bot (or is gone). Stop sending to them
        until they write to the bot again."""
        async with self.db.transaction() as session:
            await outbox_repo.mark_unreachable(session, chat_id, self.clock.now())
            await outbox_repo.settle(
                session, message_id, status=OutboxStatus.FAILED.value, error=reason[:300]
            )

    async def retry_later(
        self, message_id: int, delay: timedelta, reason: str, flood_wait: bool = False
    ) -> None:
        async with self.db.transaction() as session:
            await outbox_repo.requeue(
                session,
                message_id,
                self.clock.now() + delay,
                reason[:300],
                refund_attempt=flood_wait,
            )

    async def report(self) -> OutboxReport:
        async with self.db.read() as session:
            return OutboxReport(
                counts=await outbox_repo.counts(session),
                failures=await outbox_repo.failure_reasons(session),
                oldest_due=await outbox_repo.oldest_due(session),
            )
