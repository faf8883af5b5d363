"""Broadcasts (storage/models/broadcasts.py), their figures (the states of the outbox
rows their campaign wrote) and volunteers' mutes of broadcast categories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import OrderState
from storage.models import Broadcast, BroadcastMute, Order, OrgUnit, OutboxMessage
from storage.repositories.upsert import insert_for


async def insert(session: AsyncSession, **values: Any) -> Broadcast:
    broadcast = Broadcast(**values)
    session.add(broadcast)
    await session.flush()
    return broadcast


async def get(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def under(
    session: AsyncSession, unit_path: str, offset: int, limit: int
) -> tuple[list[Broadcast], int]:
    """The broadcasts of the unit at ``unit_path`` and the units below it, newest first:
    a page, and how many there are."""
    units = select(OrgUnit.id).where(OrgUnit.path.startswith(unit_path, autoescape=True))
    where = Broadcast.unit_id.in_(units)
    total = int(await session.scalar(select(func.count()).select_from(Broadcast).where(where)) or 0)
    stmt = select(Broadcast).where(where).order_by(Broadcast.id.desc()).offset(offset).limit(limit)
    return list(await session.scalars(stmt)), total


async def figures(session: AsyncSession, campaign_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """campaign id → {outbox status: rows}."""
    if not campaign_ids:
        return {}
    stmt = (
        select(OutboxMessage.campaign_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.campaign_id.in_(campaign_ids))
        .group_by(OutboxMessage.campaign_id, OutboxMessage.status)
    )
    out: dict[int, dict[str, int]] = {c: {} for c in campaign_ids}
    for campaign, status, n in await session.execute(stmt):
        if campaign is not None:
            out[int(campaign)][str(status)] = int(n)
    return out


async def muted(session: AsyncSession, user_id: int) -> set[str]:
    rows = await session.scalars(
        select(BroadcastMute.category).where(BroadcastMute.user_id == user_id)
    )
    return set(rows)


async def mute(session: AsyncSession, user_id: int, category: str, now: datetime) -> None:
    await session.execute(
        insert_for(session, BroadcastMute)
        .values(user_id=user_id, category=category, created_at=now)
        .on_conflict_do_nothing()
    )


async def unmute(session: AsyncSession, user_id: int, category: str) -> None:
    await session.execute(
        delete(BroadcastMute).where(
            BroadcastMute.user_id == user_id, BroadcastMute.category == category
        )
    )


async def active_with_progress(session: AsyncSession, now: datetime) -> list[Broadcast]:
    """Broadcasts with a progress message that are not over yet (scheduled, sending or
    paused), or done but carrying an activity whose places may still change (open or
    filled, not started by ``now``): their report shows the places taken."""
    going = Broadcast.state.in_(["scheduled", "sending", "paused"])
    grabbing = (
        select(Order.id)
        .where(
            Order.id == Broadcast.order_id,
            Order.state.in_([OrderState.OPEN.value, OrderState.FILLED.value]),
            Order.starts_at > now,
        )
        .exists()
    )
    stmt = select(Broadcast).where(
        Broadcast.progress_message_id.is_not(None),
        or_(going, and_(Broadcast.state == "done", Broadcast.order_id.is_not(None), grabbing)),
    )
    return list(await session.scalars(stmt.order_by(Broadcast.id)))


async def set_state(
    session: AsyncSession, broadcast_id: int, expected: Sequence[str], state: str, **values: Any
) -> bool:
    """Move a broadcast from one of ``expected`` to ``state``, once (False when it was
    in none of them: someone else moved it first)."""
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.state.in_(expected))
        .values(state=state, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def move_queued(
    session: AsyncSession,
    campaign_id: int,
    limit: int,
    *,
    due_before: datetime | None = None,
    due_from: datetime | None = None,
    due_at: datetime | None = None,
    status: str | None = None,
    error: str | None = None,
    of: Sequence[str] = ("queued",),
) -> int:
    """Up to ``limit`` of the campaign's rows in a status of ``of`` (queued; due before
    ``due_before`` or from ``due_from``) given ``due_at`` or ``status``; how many. A
    bounded batch, so pausing or cancelling 123,000 copies is many short transactions,
    not one long one."""
    pick = select(OutboxMessage.id).where(
        OutboxMessage.campaign_id == campaign_id, OutboxMessage.status.in_(list(of))
    )
    if due_before is not None:
        pick = pick.where(OutboxMessage.due_at < due_before)
    if due_from is not None:
        pick = pick.where(OutboxMessage.due_at >= due_from)
    ids = list(await session.scalars(pick.limit(limit)))
    if not ids:
        return 0
    values: dict[str, Any] = {}
    if due_at is not None:
        values["due_at"] = due_at
    if status is not None:
        values["status"] = status
        values["last_error"] = error
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return len(ids)


async def failure_reasons(
    session: AsyncSession, campaign_id: int, limit: int = 3
) -> list[tuple[str, int]]:
    """The campaign's failed copies by reason, the commonest first."""
    stmt = (
        select(OutboxMessage.last_error, func.count())
        .where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.status == "failed")
        .group_by(OutboxMessage.last_error)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [(str(reason or ""), int(n)) for reason, n in await session.execute(stmt)]
