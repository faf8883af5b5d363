"""The outbox table: enqueue (idempotent by key), claim under a lease, settle; hold
what is meant for unreachable users and release it when they come back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import OutboxStatus
from storage.models import OutboxMessage, User
from storage.repositories.upsert import insert_for

QUEUED = OutboxStatus.QUEUED.value
SENDING = OutboxStatus.SENDING.value
HELD = OutboxStatus.HELD.value


async def insert_ignore(session: AsyncSession, **values: Any) -> bool:
    """Insert unless a row with the same dedup_key exists; True when inserted."""
    stmt = insert_for(session, OutboxMessage.__table__).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["dedup_key"])
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def insert_many_ignore(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """:func:`insert_ignore` for many rows (a key queued before is left as it is), as
    one statement executed for the list of rows: compiled once and cached, where a
    multi-VALUES INSERT of 500 rows is compiled afresh each time (about 160 ms, inside
    the write lock: bench/README.md, "Fan-out of an announcement (issue 15)")."""
    if not rows:
        return
    stmt = insert_for(session, OutboxMessage.__table__).on_conflict_do_nothing(
        index_elements=["dedup_key"]
    )
    await session.execute(stmt, list(rows))


async def claim(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int
) -> tuple[list[Any], int]:
    """Lease up to ``limit`` due messages, at most one per chat and none for a chat
    that has a message in flight (so each chat gets its messages in order and no faster
    than the sender paces it). Returns the leased messages, and how many due messages
    were held instead: those for someone the bot cannot reach now (``held``, no send
    attempt) — they wait until that person writes to the bot (bot/services/people/held.py).

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
        return [], 0
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
        return [], 0
    unreachable = set(
        await session.scalars(
            select(User.telegram_id).where(
                User.telegram_id.in_({r.chat_id for r in chosen}),
                User.unreachable_since.is_not(None),
            )
        )
    )
    held = [row.id for row in chosen if row.chat_id in unreachable]
    if held:
        await _hold_if_unreachable(session, held, postgres)
    leased = [row for row in chosen if row.chat_id not in unreachable]
    if leased:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in leased]))
            .values(status=SENDING, lease_until=lease_until, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    # the rows still show the values before the UPDATE (attempts not yet counted)
    return leased, len(held)


async def _hold_if_unreachable(session: AsyncSession, ids: list[int], postgres: bool) -> None:
    """Hold these messages, each only if its recipient is still unreachable. On
    PostgreSQL the recipients' rows are locked (FOR SHARE): a release that cleared
    ``unreachable_since`` first (it locks the user row before it reads the held
    messages) is waited for and then seen, so a message is never held after the release
    that should have taken it; one that comes later finds the message held."""
    still = select(User.telegram_id).where(User.unreachable_since.is_not(None))
    if postgres:
        still = still.with_for_update(read=True)
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.chat_id.in_(still.scalar_subquery()))
        .values(status=HELD, lease_until=None)
        .execution_options(synchronize_session=False)
    )


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
    """The message under ``dedup_key`` is not to be sent after all, if it waits: in the
    queue, or held for someone the bot cannot reach yet. True when one was."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.dedup_key == dedup_key, OutboxMessage.status.in_((QUEUED, HELD)))
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


async def mark_unreachable(
    session: AsyncSession,
    chat_id: int,
    at: datetime,
    reason: str,
    tried_at: datetime | None = None,
) -> bool:
    """The user of ``chat_id`` is unreachable since ``at``, for ``reason``: Telegram
    refused a message claimed at ``tried_at`` — unless they wrote to the bot after that
    (their chat exists now: the answer is out of date) — or (``tried_at`` None) they
    blocked the bot. True when the user is unreachable (now or already); False when
    they wrote since, or are not a user."""
    not_seen_since = (
        or_(User.last_seen_at.is_(None), User.last_seen_at <= tried_at)
        if tried_at is not None
        else true()
    )
    await session.execute(
        update(User)
        .where(
            User.telegram_id == chat_id,
            User.unreachable_since.is_(None),
            not_seen_since,
        )
        .values(unreachable_since=at, unreachable_reason=reason)
        .execution_options(synchronize_session=False)
    )
    since = await session.execute(select(User.unreachable_since).where(User.telegram_id == chat_id))
    row = since.first()
    return row is not None and row[0] is not None


async def mark_reachable(session: AsyncSession, user_id: int) -> tuple[int, str] | None:
    """The user wrote to the bot: reachable again. Their telegram id and why they had
    been unreachable, when they had (their held messages are to be released), else None.
    It is the first statement of the release, and locks the user row (PostgreSQL) before
    the held messages are read: see :func:`_hold_if_unreachable`."""
    row = (
        await session.execute(
            select(User.telegram_id, User.unreachable_reason)
            .where(User.id == user_id, User.unreachable_since.is_not(None))
            .with_for_update()
        )
    ).first()
    if row is None:
        return None
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(unreachable_since=None, unreachable_reason=None)
        .execution_options(synchronize_session=False)
    )
    return int(row[0]), row[1] or ""


async def held_for(session: AsyncSession, chat_id: int) -> list[OutboxMessage]:
    """The messages held for ``chat_id``, in the order they would have been sent."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == HELD)
        .order_by(OutboxMessage.priority, OutboxMessage.due_at, OutboxMessage.id)
    )
    return list(await session.scalars(stmt))


async def release_held(session: AsyncSession, ids: Sequence[int]) -> None:
    """Held messages back to the queue, due now in their old order (their due times are
    kept: they are past), their send attempts not counted against them."""
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == HELD)
            .values(status=QUEUED, lease_until=None, last_error=None)
            .execution_options(synchronize_session=False)
        )


async def drop_held(session: AsyncSession, reasons: dict[int, str]) -> None:
    """Held messages no longer worth sending, each with why (kept as its last error)."""
    for message_id, reason in reasons.items():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == HELD)
            .values(status=OutboxStatus.CANCELLED.value, last_error=reason[:300])
            .execution_options(synchronize_session=False)
        )


async def held_by_reason(session: AsyncSession) -> list[tuple[str, int, int]]:
    """(why the recipients are unreachable, how many people, how many held messages)."""
    rows = await session.execute(
        select(
            User.unreachable_reason,
            func.count(func.distinct(OutboxMessage.chat_id)),
            func.count(),
        )
        .select_from(OutboxMessage)
        .outerjoin(User, User.telegram_id == OutboxMessage.chat_id)
        .where(OutboxMessage.status == HELD)
        .group_by(User.unreachable_reason)
        .order_by(func.count().desc())
    )
    return [(reason or "", int(people), int(n)) for reason, people, n in rows.all()]


async def purge_sent(session: AsyncSession, before: datetime) -> int:
    from sqlalchemy import delete

    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_([OutboxStatus.SENT.value, OutboxStatus.CANCELLED.value, HELD]),
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
