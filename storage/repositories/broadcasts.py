"""Broadcasts (storage/models/broadcasts.py), their figures (the states of the outbox
rows their campaign wrote) and volunteers' mutes of broadcast categories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Broadcast, BroadcastMute, OrgUnit, OutboxMessage
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
