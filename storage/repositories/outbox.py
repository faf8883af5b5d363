"""The outbox table: enqueue (idempotent by key), claim under a lease, settle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import OutboxStatus
from storage.models import OutboxMessage, User
from storage.repositories.upsert import insert_for

QUEUED = OutboxStatus.QUEUED.value
SENDING = OutboxStatus.SENDING.value


async def insert_ignore(session: AsyncSession, **values: Any) -> bool:
    """Insert unless a row with the same dedup_key exists; True when inserted."""
    stmt = insert_for(session, OutboxMessage.__table__).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["dedup_key"])
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int
) -> list[tuple[Any, bool]]:
    """Lease up to ``limit`` due messages, at most one per chat and none for a chat
    that has a message in flight (so each chat gets its messages in order and no faster
    than the sender paces it). Returns (message, recipient unreachable).

    Candidates are read in queue order straight off the ``(status, priority, due_at)``
    index — first the rows of senders whose lease ran out (they crashed), then queued
    ones — at most twice the batch, so a claim costs the same with 100 or 100,000
    messages waiting. PostgreSQL: ``FOR UPDATE SKIP LOCKED`` lets several senders claim
    side by side without ever taking the same row. SQLite: the unit of work runs in
    BEGIN IMMEDIATE, so claims are serialised by the database lock.
    """
    window = limit * 2
    order = (OutboxMessage.priority, OutboxMessage.due_at, OutboxMessage.id)
    postgres = session.bind is not None and session.bind.dialect.name == "postgresql"

    def candidates(*where: Any) -> Any:
        stmt = select(OutboxMessage).where(*where).order_by(*order).limit(window)
        return stmt.with_for_update(skip_locked=True) if postgres else stmt

    rows = list(
        await session.scalars(
            candidates(OutboxMessage.status == SENDING, OutboxMessage.lease_until < now)
        )
    )
    rows += list(
        await session.scalars(
            candidates(OutboxMessage.status == QUEUED, OutboxMessage.due_at <= now)
        )
    )
    if not rows:
        return []
    chats = {row.chat_id for row in rows}
    busy = set(
        await session.scalars(
            select(OutboxMessage.chat_id).where(
                OutboxMessage.status == SENDING,
                OutboxMessage.lease_until >= now,
                OutboxMessage.chat_id.in_(chats),
            )
        )
    )
    chosen: list[Any] = []
    for row in sorted(rows, key=lambda r: (r.priority, r.due_at, r.id)):
        if row.chat_id not in busy:
            busy.add(row.chat_id)
            chosen.append(row)
            if len(chosen) == limit:
                break
    if not chosen:
        return []
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([row.id for row in chosen]))
        .values(status=SENDING, lease_until=lease_until, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    unreachable = set(
        await session.scalars(
            select(User.telegram_id).where(
                User.telegram_id.in_({r.chat_id for r in chosen}),
                User.unreachable_since.is_not(None),
            )
        )
    )
    # the rows still show the values before the UPDATE (attempts not yet counted)
    return [(row, row.chat_id in unreachable) for row in chosen]


async def mark_sent(
    session: AsyncSession, results: Sequence[tuple[int, int | None]], at: datetime
) -> None:
    """(outbox id, Telegram message id) pairs, in one statement per row, one unit."""
    if not results:
        return
    table = cast(Table, OutboxMessage.__table__)
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("oid"))
        .values(
            status=OutboxStatus.SENT.value,
            sent_at=at,
            lease_until=None,
            telegram_message_id=bindparam("mid"),
            last_error=None,
        ),
        [{"oid": oid, "mid": mid} for oid, mid in results],
    )


async def settle(
    session: AsyncSession,
    message_id: int,
    *,
    status: str,
    error: str | None = None,
    due_at: datetime | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "lease_until": None, "last_error": error}
    if due_at is not None:
        values["due_at"] = due_at
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


async def requeue(
    session: AsyncSession,
    message_id: int,
    due_at: datetime,
    error: str | None,
    refund_attempt: bool = False,
) -> None:
    """Back to the queue (a flood wait or a passing fault); a flood wait is not the
    message's fault, so it does not count as an attempt."""
    values: dict[str, Any] = {
        "status": QUEUED,
        "lease_until": None,
        "due_at": due_at,
        "last_error": error,
    }
    if refund_attempt:
        values["attempts"] = OutboxMessage.attempts - 1
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


async def counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: int(n) for status, n in rows.all()}


async def failure_reasons(session: AsyncSession, limit: int = 20) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(OutboxMessage.last_error, func.count())
        .where(OutboxMessage.status == OutboxStatus.FAILED.value)
        .group_by(OutboxMessage.last_error)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [(reason or "", int(n)) for reason, n in rows.all()]


async def oldest_due(session: AsyncSession) -> datetime | None:
    return await session.scalar(
        select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status.in_([QUEUED, SENDING]))
    )


async def cancel(session: AsyncSession, dedup_key: str) -> bool:
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.dedup_key == dedup_key, OutboxMessage.status == QUEUED)
        .values(status=OutboxStatus.CANCELLED.value)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def sent_message_id(session: AsyncSession, dedup_key: str) -> int | None:
    """The Telegram message id of the message sent under ``dedup_key`` (for a later
    edit of it), or None when it was not sent (yet)."""
    return await session.scalar(
        select(OutboxMessage.telegram_message_id).where(
            OutboxMessage.dedup_key == dedup_key,
            OutboxMessage.status == OutboxStatus.SENT.value,
        )
    )


async def mark_unreachable(session: AsyncSession, chat_id: int, at: datetime) -> None:
    await session.execute(
        update(User)
        .where(User.telegram_id == chat_id, User.unreachable_since.is_(None))
        .values(unreachable_since=at)
    )


async def purge_sent(session: AsyncSession, before: datetime) -> int:
    from sqlalchemy import delete

    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_([OutboxStatus.SENT.value, OutboxStatus.CANCELLED.value]),
            OutboxMessage.created_at < before,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def insert_queued(
    session: AsyncSession,
    messages: Sequence[tuple[str, int, str]],
    now: datetime,
    *,
    priority: int = 0,
    chunk: int = 1000,
) -> None:
    """Queue many (key, chat id, HTML text) messages at once: for load tests and
    benchmarks, where one INSERT per message would be the thing measured."""
    rows = [
        {
            "dedup_key": key,
            "chat_id": chat_id,
            "kind": "text",
            "payload": {"text": text},
            "priority": priority,
            "paid_broadcast": False,
            "due_at": now,
            "status": QUEUED,
            "attempts": 0,
            "created_at": now,
        }
        for key, chat_id, text in messages
    ]
    for start in range(0, len(rows), chunk):
        await session.execute(insert(OutboxMessage), rows[start : start + chunk])
