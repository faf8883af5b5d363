"""Attendance (实践服务): the queries behind check-in, check-out, no-shows, completion
and the volunteer's record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import PLACE_HOLDING, ClaimState, OrderState
from storage.models import Claim, Order, OrgUnit, User, VolunteerProfile

CLAIMED = ClaimState.CLAIMED.value
CHECKED_IN = ClaimState.CHECKED_IN.value
DONE = ClaimState.DONE.value
NO_SHOW = ClaimState.NO_SHOW.value
LIVE = (OrderState.OPEN.value, OrderState.FILLED.value, OrderState.IN_SERVICE.value)


@dataclass(frozen=True)
class RecordRow:
    volunteer_id: int
    services: int
    minutes: int
    late_cancels: int
    no_shows: int


async def held_by(session: AsyncSession, volunteer_id: int) -> list[tuple[Claim, Order]]:
    """The volunteer's places not yet served (claimed or checked in) on live orders,
    soonest first."""
    stmt = (
        select(Claim, Order)
        .join(Order, Order.id == Claim.order_id)
        .where(
            Claim.volunteer_id == volunteer_id,
            Claim.state.in_((CLAIMED, CHECKED_IN)),
            Order.state.in_(LIVE),
        )
        .order_by(Order.starts_at, Order.id)
        .limit(50)
    )
    return [(c, o) for c, o in (await session.execute(stmt)).all()]


async def claims_with_names(
    session: AsyncSession, order_id: int, states: Sequence[str]
) -> list[tuple[Claim, str]]:
    """An order's claims in ``states`` with the volunteer's real name (else their
    Telegram first name), in order of joining."""
    stmt = (
        select(Claim, func.coalesce(VolunteerProfile.real_name, User.first_name))
        .join(User, User.id == Claim.volunteer_id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == Claim.volunteer_id)
        .where(Claim.order_id == order_id, Claim.state.in_(tuple(states)))
        .order_by(Claim.joined_at, Claim.id)
    )
    return [(c, name) for c, name in (await session.execute(stmt)).all()]


async def count_in_states(session: AsyncSession, order_id: int, states: Sequence[str]) -> int:
    stmt = (
        select(func.count())
        .select_from(Claim)
        .where(Claim.order_id == order_id, Claim.state.in_(tuple(states)))
    )
    return int(await session.scalar(stmt) or 0)


async def holders(session: AsyncSession, order_id: int) -> int:
    """Claims still holding one of the order's places."""
    return await count_in_states(session, order_id, PLACE_HOLDING)


async def give_back_place(session: AsyncSession, order_id: int, now: datetime) -> None:
    """A place served (done) or forfeited (no-show): ``taken`` counts place holders
    only. The order's state is left alone (it is in service by then)."""
    await session.execute(
        update(Order)
        .where(Order.id == order_id, Order.taken > 0)
        .values(taken=Order.taken - 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def records(session: AsyncSession, volunteer_ids: Sequence[int]) -> dict[int, RecordRow]:
    """Each volunteer's record: services done, minutes served, late cancellations and
    no-shows (all time)."""
    if not volunteer_ids:
        return {}
    stmt = (
        select(
            Claim.volunteer_id,
            func.sum(case((Claim.state == DONE, 1), else_=0)),
            func.sum(case((Claim.state == DONE, func.coalesce(Claim.minutes, 0)), else_=0)),
            func.sum(case((Claim.late_cancel.is_(True), 1), else_=0)),
            func.sum(case((Claim.state == NO_SHOW, 1), else_=0)),
        )
        .where(Claim.volunteer_id.in_(tuple(set(volunteer_ids))))
        .group_by(Claim.volunteer_id)
    )
    found = {
        vid: RecordRow(vid, int(done or 0), int(minutes or 0), int(late or 0), int(ns or 0))
        for vid, done, minutes, late, ns in (await session.execute(stmt)).all()
    }
    return {vid: found.get(vid, RecordRow(vid, 0, 0, 0, 0)) for vid in volunteer_ids}


async def live_under(
    session: AsyncSession, unit_path: str, offset: int, limit: int
) -> tuple[list[Order], int]:
    """Published orders not completed yet (open, filled, in service) in communities at
    or below the unit, soonest start first, and how many there are."""
    base = (
        select(Order)
        .join(OrgUnit, OrgUnit.id == Order.community_id)
        .where(Order.state.in_(LIVE))
        .where(OrgUnit.path.startswith(unit_path, autoescape=True))
    )
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await session.scalars(
        base.order_by(Order.starts_at, Order.id).offset(offset).limit(limit)
    )
    return list(rows), int(total)


async def by_number(session: AsyncSession, number: str) -> Order | None:
    return (await session.scalars(select(Order).where(Order.number == number))).first()
