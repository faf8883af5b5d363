"""The claims table: a volunteer's place (or waitlist place) on an order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import PLACE_HOLDING, ClaimState, OrderState
from storage.models import Claim, Order
from storage.repositories.upsert import insert_for

CANCELLED = ClaimState.CANCELLED.value
WAITLISTED = ClaimState.WAITLISTED.value
OFFERED = ClaimState.OFFERED.value
LIVE_ORDER = (OrderState.OPEN.value, OrderState.FILLED.value, OrderState.IN_SERVICE.value)


async def insert_new(
    session: AsyncSession, *, order_id: int, volunteer_id: int, state: str, now: datetime
) -> int | None:
    """Insert the volunteer's row for the order; None when they have one already
    (UNIQUE(order_id, volunteer_id): a second tap never makes a second row). No
    exception either way, so the transaction stays usable on PostgreSQL too."""
    stmt = (
        insert_for(session, Claim.__table__)
        .values(
            order_id=order_id,
            volunteer_id=volunteer_id,
            state=state,
            joined_at=now,
            late_cancel=False,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["order_id", "volunteer_id"])
        .returning(Claim.__table__.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def revive(
    session: AsyncSession, *, order_id: int, volunteer_id: int, state: str, now: datetime
) -> int | None:
    """A cancelled row of the volunteer's becomes live again (they come back to an
    order they had left): its id, or None when their row is live. ``late_cancel``
    stays: it is part of their record."""
    result = await session.execute(
        update(Claim)
        .where(
            Claim.order_id == order_id,
            Claim.volunteer_id == volunteer_id,
            Claim.state == CANCELLED,
        )
        .values(
            state=state,
            joined_at=now,
            cancelled_at=None,
            offered_at=None,
            offer_expires_at=None,
        )
        .returning(Claim.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none()


async def get(session: AsyncSession, claim_id: int) -> Claim | None:
    stmt = select(Claim).where(Claim.id == claim_id).execution_options(populate_existing=True)
    return (await session.scalars(stmt)).first()


async def of(session: AsyncSession, order_id: int, volunteer_id: int) -> Claim | None:
    stmt = select(Claim).where(Claim.order_id == order_id, Claim.volunteer_id == volunteer_id)
    return (await session.scalars(stmt.execution_options(populate_existing=True))).first()


async def set_state(session: AsyncSession, claim_id: int, from_state: str, **values: Any) -> bool:
    result = await session.execute(
        update(Claim)
        .where(Claim.id == claim_id, Claim.state == from_state)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def overlapping(
    session: AsyncSession,
    volunteer_id: int,
    starts_at: datetime,
    ends_at: datetime,
    exclude_order_id: int,
) -> bool:
    """Whether the volunteer holds a place on another live order whose window
    overlaps [starts_at, ends_at)."""
    stmt = (
        select(Claim.id)
        .join(Order, Order.id == Claim.order_id)
        .where(
            Claim.volunteer_id == volunteer_id,
            Claim.state.in_(PLACE_HOLDING),
            Claim.order_id != exclude_order_id,
            Order.state.in_(LIVE_ORDER),
            Order.starts_at < ends_at,
            Order.ends_at > starts_at,
        )
        .limit(1)
    )
    return (await session.scalar(stmt)) is not None


async def count_upcoming(
    session: AsyncSession, volunteer_id: int, now: datetime, exclude_order_id: int
) -> int:
    """Places the volunteer holds on other live orders that have not started."""
    stmt = (
        select(func.count())
        .select_from(Claim)
        .join(Order, Order.id == Claim.order_id)
        .where(
            Claim.volunteer_id == volunteer_id,
            Claim.state.in_(PLACE_HOLDING),
            Claim.order_id != exclude_order_id,
            Order.state.in_(LIVE_ORDER),
            Order.starts_at > now,
        )
    )
    return int(await session.scalar(stmt) or 0)


async def first_waitlisted(session: AsyncSession, order_id: int) -> Claim | None:
    stmt = (
        select(Claim)
        .where(Claim.order_id == order_id, Claim.state == WAITLISTED)
        .order_by(Claim.joined_at, Claim.id)
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def due_offers(session: AsyncSession, now: datetime, limit: int = 500) -> list[int]:
    stmt = (
        select(Claim.id)
        .where(Claim.state == OFFERED, Claim.offer_expires_at <= now)
        .order_by(Claim.offer_expires_at, Claim.id)
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def of_order(session: AsyncSession, order_id: int) -> list[Claim]:
    stmt = select(Claim).where(Claim.order_id == order_id).order_by(Claim.joined_at, Claim.id)
    return list(await session.scalars(stmt))
