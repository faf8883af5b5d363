"""The orders table. ``take_place`` is first come, first served: one conditional
UPDATE, never read-then-write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import OrderScope, OrderState
from storage.models import Claim, Order, OrgUnit

NUMBER_PREFIX = "HY"

OPEN = OrderState.OPEN.value
FILLED = OrderState.FILLED.value


def number_for(order_id: int) -> str:
    """``42`` → ``HY000042``."""
    return f"{NUMBER_PREFIX}{order_id:06d}"


async def insert(session: AsyncSession, **values: Any) -> Order:
    """Add an order and give it its number (from the id, in the same transaction)."""
    order = Order(**values)
    session.add(order)
    await session.flush()
    order.number = number_for(order.id)
    await session.flush()
    return order


async def get(session: AsyncSession, order_id: int, *, for_update: bool = False) -> Order | None:
    """The order; ``for_update`` locks its row on PostgreSQL (SQLite's write
    transactions are serialised by BEGIN IMMEDIATE already)."""
    stmt = select(Order).where(Order.id == order_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt.execution_options(populate_existing=True))).first()


async def places_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """Order id → (places, taken, changes) for the orders of ``ids``; ``changes`` grows
    with every change of their claims (a new one, any change of state: each moves its
    version on), so a figure shown once can tell it is out of date even when ``taken``
    came back to what it was."""
    if not ids:
        return {}
    changes = (
        select(func.count(Claim.id) + func.coalesce(func.sum(Claim.version), 0))
        .where(Claim.order_id == Order.id)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Order.id, Order.places, Order.taken, changes).where(Order.id.in_(set(ids)))
    )
    return {order_id: (places, taken, int(moved)) for order_id, places, taken, moved in rows}


async def review_queue(
    session: AsyncSession, unit_path: str, offset: int, limit: int
) -> tuple[list[Order], int]:
    """Orders waiting for review in communities at or below the unit, oldest first."""
    base = (
        select(Order)
        .join(OrgUnit, OrgUnit.id == Order.community_id)
        .where(Order.state == OrderState.PENDING_REVIEW.value)
        .where(OrgUnit.path.startswith(unit_path, autoescape=True))
    )
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await session.scalars(
        base.order_by(Order.created_at, Order.id).offset(offset).limit(limit)
    )
    return list(rows), int(total)


async def change_state(
    session: AsyncSession, order_id: int, from_states: tuple[str, ...], **values: Any
) -> bool:
    """Move an order on from one of ``from_states``, once: False when it was not in
    any of them any more (someone else decided first)."""
    result = await session.execute(
        update(Order)
        .where(Order.id == order_id, Order.state.in_(from_states))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def take_place(session: AsyncSession, order_id: int, now: datetime) -> int | None:
    """Take one place if one is free and the order is open for grabbing; the new
    ``taken``, or None. Reaching ``places`` fills the order in the same statement."""
    result = await session.execute(
        update(Order)
        .where(
            Order.id == order_id,
            Order.state == OPEN,
            Order.taken < Order.places,
            Order.starts_at > now,
            or_(Order.opens_at.is_(None), Order.opens_at <= now),
        )
        .values(
            taken=Order.taken + 1,
            state=case((Order.taken + 1 >= Order.places, FILLED), else_=Order.state),
            updated_at=now,
        )
        .returning(Order.taken)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none()


async def release_place(session: AsyncSession, order_id: int, now: datetime) -> None:
    """Give a place back (nobody is waiting for it): a filled order opens again."""
    await session.execute(
        update(Order)
        .where(Order.id == order_id, Order.taken > 0)
        .values(
            taken=Order.taken - 1,
            state=case((Order.state == FILLED, OPEN), else_=Order.state),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


async def of_requester(
    session: AsyncSession, requester_id: int, offset: int, limit: int
) -> tuple[list[Order], int]:
    """A requester's orders, newest first, and how many there are."""
    where = Order.requester_id == requester_id
    total = await session.scalar(select(func.count()).select_from(Order).where(where))
    stmt = select(Order).where(where).order_by(Order.created_at.desc(), Order.id.desc())
    rows = await session.scalars(stmt.offset(offset).limit(limit))
    return list(rows), int(total or 0)


async def open_for(
    session: AsyncSession,
    community_id: int,
    street_path: str | None,
    team_ids: Sequence[int],
    now: datetime,
    offset: int,
    limit: int,
    district_path: str | None = None,
) -> tuple[list[Order], int]:
    """Orders taking volunteers now or later (open, not started) that a volunteer of the
    community, in the teams ``team_ids``, may take — the community's own, and with
    ``street_path`` the street-wide ones of every community of that street too (and
    with ``district_path`` the district-wide ones of the district); nearest start
    first, and how many there are."""
    mine = Order.community_id == community_id
    area: Any = mine
    if street_path is not None:
        street_wide = and_(
            Order.scope == OrderScope.STREET.value,
            OrgUnit.path.startswith(street_path, autoescape=True),
        )
        area = or_(mine, street_wide)
    if district_path is not None:
        district_wide = and_(
            Order.scope == OrderScope.DISTRICT.value,
            OrgUnit.path.startswith(district_path, autoescape=True),
        )
        area = or_(area, district_wide)
    team: Any = Order.team_id.is_(None)
    if team_ids:
        team = or_(team, Order.team_id.in_(list(team_ids)))
    base = (
        select(Order)
        .join(OrgUnit, OrgUnit.id == Order.community_id)
        .where(Order.state == OPEN, Order.starts_at > now, area, team)
    )
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await session.scalars(
        base.order_by(Order.starts_at, Order.id).offset(offset).limit(limit)
    )
    return list(rows), int(total)
