"""What the coordinators' charts read, for the communities under a unit since a moment:
each completed order's completion time and the minutes its places served; each order's
creation time and category."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import ClaimState, OrderState
from storage.models import Claim, Order, OrgUnit


def _under(path: str):  # type: ignore[no-untyped-def]
    return select(OrgUnit.id).where(OrgUnit.path.startswith(path, autoescape=True))


async def completed(
    session: AsyncSession, path: str, since: datetime
) -> list[tuple[datetime, int]]:
    """(completed at, minutes served) of each order completed since ``since``."""
    served = (
        select(func.coalesce(func.sum(Claim.minutes), 0))
        .where(Claim.order_id == Order.id, Claim.state == ClaimState.DONE.value)
        .scalar_subquery()
    )
    stmt = select(Order.completed_at, served).where(
        Order.community_id.in_(_under(path)),
        Order.state == OrderState.COMPLETED.value,
        Order.completed_at >= since,
    )
    return [(at, int(m or 0)) for at, m in await session.execute(stmt) if at is not None]


async def categories(session: AsyncSession, path: str, since: datetime) -> list[tuple[str, int]]:
    """(category, orders) of the orders created since ``since``, most first."""
    stmt = (
        select(Order.category, func.count())
        .where(Order.community_id.in_(_under(path)), Order.created_at >= since)
        .group_by(Order.category)
        .order_by(func.count().desc(), Order.category)
    )
    return [(c, int(n)) for c, n in await session.execute(stmt)]
