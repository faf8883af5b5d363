"""What the coordinators' exports read, for the communities under a unit and one period
[since, until): hours per volunteer (places served on orders completed in it), points
per volunteer (earned, spent and given in it; the balance now), orders per state and
category (created in it), ratings per volunteer (given in it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import AccountKind, ClaimState, MovementKind, OrderState
from storage.models import (
    Claim,
    Order,
    OrgUnit,
    PointAccount,
    PointMovement,
    Rating,
    VolunteerProfile,
)

EARNING = (MovementKind.EARN.value, MovementKind.BONUS.value, MovementKind.ADJUST.value)


def _under(path: str) -> Any:
    return select(OrgUnit.id).where(OrgUnit.path.startswith(path, autoescape=True))


async def hours(
    session: AsyncSession, path: str, since: datetime, until: datetime
) -> list[tuple[str, int, int, int]]:
    """(name, community id, services, minutes) per volunteer, most minutes first."""
    stmt = (
        select(
            VolunteerProfile.real_name,
            VolunteerProfile.community_id,
            func.count(Claim.id),
            func.sum(Claim.minutes),
        )
        .join(Claim, Claim.volunteer_id == VolunteerProfile.user_id)
        .join(Order, Order.id == Claim.order_id)
        .where(
            VolunteerProfile.community_id.in_(_under(path)),
            Claim.state == ClaimState.DONE.value,
            Order.state == OrderState.COMPLETED.value,
            Order.completed_at >= since,
            Order.completed_at < until,
        )
        .group_by(
            VolunteerProfile.user_id, VolunteerProfile.real_name, VolunteerProfile.community_id
        )
        .order_by(func.sum(Claim.minutes).desc(), VolunteerProfile.real_name)
    )
    return [(n, int(c), int(k), int(m or 0)) for n, c, k, m in await session.execute(stmt)]


async def points(
    session: AsyncSession, path: str, since: datetime, until: datetime
) -> list[tuple[str, int, int, int, int]]:
    """(name, community id, earned, spent, balance now) in tenths per volunteer with a
    passbook: earned is the period's earning movements (net of adjustments down), spent
    what left the passbook otherwise (rewards, transfers)."""

    def side(account: Any, sign: int) -> Any:
        return select(
            account.label("account"),
            (PointMovement.amount * sign).label("amount"),
            PointMovement.kind.label("kind"),
        ).where(PointMovement.created_at >= since, PointMovement.created_at < until)

    moves = union_all(
        side(PointMovement.to_account_id, 1), side(PointMovement.from_account_id, -1)
    ).subquery()
    earned = func.sum(case((moves.c.kind.in_(EARNING), moves.c.amount), else_=0))
    spent = func.sum(case((moves.c.kind.in_(EARNING), 0), else_=-moves.c.amount))
    per = (
        select(moves.c.account, earned.label("earned"), spent.label("spent"))
        .group_by(moves.c.account)
        .subquery()
    )
    stmt = (
        select(
            VolunteerProfile.real_name,
            VolunteerProfile.community_id,
            func.coalesce(per.c.earned, 0),
            func.coalesce(per.c.spent, 0),
            PointAccount.balance,
        )
        .join(PointAccount, PointAccount.user_id == VolunteerProfile.user_id)
        .outerjoin(per, per.c.account == PointAccount.id)
        .where(
            PointAccount.kind == AccountKind.VOLUNTEER.value,
            VolunteerProfile.community_id.in_(_under(path)),
        )
        .order_by(func.coalesce(per.c.earned, 0).desc(), VolunteerProfile.real_name)
    )
    return [(n, int(c), int(e), int(s), int(b)) for n, c, e, s, b in await session.execute(stmt)]


async def orders(
    session: AsyncSession, path: str, since: datetime, until: datetime
) -> list[tuple[str, str, int]]:
    """(state, category, orders) of the orders created in the period, by state then
    category."""
    stmt = (
        select(Order.state, Order.category, func.count())
        .where(
            Order.community_id.in_(_under(path)),
            Order.created_at >= since,
            Order.created_at < until,
        )
        .group_by(Order.state, Order.category)
        .order_by(Order.state, Order.category)
    )
    return [(s, c, int(n)) for s, c, n in await session.execute(stmt)]


async def ratings(
    session: AsyncSession, path: str, since: datetime, until: datetime
) -> list[tuple[str, int, int, float]]:
    """(name, community id, ratings, average stars) per volunteer rated in the period
    (each volunteer's own ratings; a rating of the whole team counts for each)."""
    stmt = (
        select(
            VolunteerProfile.real_name,
            VolunteerProfile.community_id,
            func.count(Rating.id),
            func.avg(Rating.stars),
        )
        .join(Rating, Rating.volunteer_id == VolunteerProfile.user_id)
        .where(
            VolunteerProfile.community_id.in_(_under(path)),
            Rating.created_at >= since,
            Rating.created_at < until,
        )
        .group_by(
            VolunteerProfile.user_id, VolunteerProfile.real_name, VolunteerProfile.community_id
        )
        .order_by(func.avg(Rating.stars).desc(), VolunteerProfile.real_name)
    )
    return [(n, int(c), int(k), float(a or 0)) for n, c, k, a in await session.execute(stmt)]
