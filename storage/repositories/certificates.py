"""Service-record certificates: a volunteer's records (each place served on a completed
order), a certificate issued, one looked up by its serial."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import ClaimState, OrderState
from storage.models import Certificate, Claim, Order


async def records(
    session: AsyncSession, user_id: int
) -> list[tuple[datetime, str, str | None, str, int, int]]:
    """(completed at, order number, title, category, community id, minutes) of each place
    the volunteer served on a completed order, oldest first."""
    stmt = (
        select(
            Order.completed_at,
            Order.number,
            Order.title,
            Order.category,
            Order.community_id,
            Claim.minutes,
        )
        .join(Claim, Claim.order_id == Order.id)
        .where(
            Claim.volunteer_id == user_id,
            Claim.state == ClaimState.DONE.value,
            Order.state == OrderState.COMPLETED.value,
        )
        .order_by(Order.completed_at, Order.id)
    )
    return [
        (at, number or "", title, category, int(community), int(minutes or 0))
        for at, number, title, category, community, minutes in await session.execute(stmt)
        if at is not None  # a completed order has its time
    ]


async def by_serial(session: AsyncSession, serial: str) -> Certificate | None:
    return await session.scalar(select(Certificate).where(Certificate.serial == serial))


async def serial_taken(session: AsyncSession, serial: str) -> bool:
    return await by_serial(session, serial) is not None
