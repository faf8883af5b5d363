"""What the leaderboards (积分参赛) read: each volunteer's verified minutes or earned
points in a period, within a scope (the communities under a unit, or a specialty
team), ranked; and the same summed per group (communities, streets, specialty teams).

Minutes are those of places served on completed orders, in the period of the order's
completion (as ``passbook.minutes_since``); points are the earning movements (earns,
bonuses, adjustments, net) booked in the period (as ``passbook.earned_since``). Only
approved volunteers are ranked, and only those with a figure above zero. Ranks are
"1224": one more than the number of volunteers with more; ties share a rank."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import AccountKind, ApprovalState, ClaimState, MovementKind, OrderState
from storage.models import (
    Claim,
    Order,
    OrgUnit,
    PointAccount,
    PointMovement,
    VolunteerProfile,
    VolunteerTeam,
)

Metric = Literal["hours", "points"]
EARNING = (MovementKind.EARN.value, MovementKind.BONUS.value, MovementKind.ADJUST.value)


@dataclass(frozen=True)
class Scope:
    """Whose figures: volunteers of the communities under ``path`` (a unit's path), or
    of the specialty team ``team_id``; None for both: everyone."""

    path: str | None = None
    team_id: int | None = None


@dataclass(frozen=True)
class Window:
    """[since, until); None: open on that side."""

    since: datetime | None = None
    until: datetime | None = None


def _per_volunteer(metric: Metric, window: Window) -> Any:
    """(volunteer user id, figure) of every volunteer with a movement in the window."""
    if metric == "hours":
        stmt = (
            select(Claim.volunteer_id.label("uid"), func.sum(Claim.minutes).label("figure"))
            .join(Order, Order.id == Claim.order_id)
            .where(
                Claim.state == ClaimState.DONE.value,
                Order.state == OrderState.COMPLETED.value,
            )
            .group_by(Claim.volunteer_id)
        )
        if window.since is not None:
            stmt = stmt.where(Order.completed_at >= window.since)
        if window.until is not None:
            stmt = stmt.where(Order.completed_at < window.until)
        return stmt

    def side(account: Any, sign: int) -> Select[Any]:
        part = select(account.label("account"), (PointMovement.amount * sign).label("amount"))
        part = part.where(PointMovement.kind.in_(EARNING))
        if window.since is not None:
            part = part.where(PointMovement.created_at >= window.since)
        if window.until is not None:
            part = part.where(PointMovement.created_at < window.until)
        return part

    moves = union_all(
        side(PointMovement.to_account_id, 1), side(PointMovement.from_account_id, -1)
    ).subquery()
    return (
        select(PointAccount.user_id.label("uid"), func.sum(moves.c.amount).label("figure"))
        .join(PointAccount, PointAccount.id == moves.c.account)
        .where(PointAccount.kind == AccountKind.VOLUNTEER.value)
        .group_by(PointAccount.user_id)
    )


def _ranked(metric: Metric, window: Window, scope: Scope) -> Any:
    """(uid, figure, community id) of the scope's approved volunteers with a figure > 0."""
    figures = _per_volunteer(metric, window).subquery()
    stmt = (
        select(figures.c.uid, figures.c.figure, VolunteerProfile.community_id)
        .join(VolunteerProfile, VolunteerProfile.user_id == figures.c.uid)
        .where(
            VolunteerProfile.status == ApprovalState.APPROVED.value,
            figures.c.figure > 0,
        )
    )
    if scope.path is not None:
        under = select(OrgUnit.id).where(OrgUnit.path.startswith(scope.path))
        stmt = stmt.where(VolunteerProfile.community_id.in_(under))
    if scope.team_id is not None:
        members = select(VolunteerTeam.user_id).where(VolunteerTeam.team_id == scope.team_id)
        stmt = stmt.where(VolunteerProfile.user_id.in_(members))
    return stmt.subquery()


@dataclass(frozen=True)
class Row:
    rank: int
    user_id: int
    figure: int  # minutes, or tenths of a point


async def top(
    session: AsyncSession,
    metric: Metric,
    window: Window,
    scope: Scope,
    offset: int,
    limit: int,
) -> list[Row]:
    """Rows ``offset`` … ``offset + limit`` of the board, best first (ties by user id),
    each with its rank."""
    ranked = _ranked(metric, window, scope)
    rank = func.rank().over(order_by=ranked.c.figure.desc())
    stmt = (
        select(rank.label("rank"), ranked.c.uid, ranked.c.figure)
        .order_by(ranked.c.figure.desc(), ranked.c.uid)
        .offset(offset)
        .limit(limit)
    )
    return [Row(int(r), int(u), int(f)) for r, u, f in await session.execute(stmt)]


async def count(session: AsyncSession, metric: Metric, window: Window, scope: Scope) -> int:
    """How many are on the board."""
    ranked = _ranked(metric, window, scope)
    return int(await session.scalar(select(func.count()).select_from(ranked)) or 0)


async def position(
    session: AsyncSession, metric: Metric, window: Window, scope: Scope, user_id: int
) -> Row | None:
    """The volunteer's own row (None: not on the board — nothing in the period, or not
    in the scope)."""
    ranked = _ranked(metric, window, scope)
    mine = await session.scalar(select(ranked.c.figure).where(ranked.c.uid == user_id))
    if mine is None:
        return None
    better = await session.scalar(
        select(func.count()).select_from(ranked).where(ranked.c.figure > mine)
    )
    return Row(int(better or 0) + 1, user_id, int(mine))


GroupKind = Literal["community", "street", "team"]


@dataclass(frozen=True)
class GroupRow:
    rank: int
    group_id: int  # a unit's id, or a team's
    figure: int
    members: int  # volunteers with a figure in it


async def groups(
    session: AsyncSession,
    metric: Metric,
    window: Window,
    kind: GroupKind,
    within: str | None,
) -> list[GroupRow]:
    """Team totals: the figures of the approved volunteers summed per community (within
    the street ``within``), per street (within the district ``within``), or per specialty
    team; best first, ranked as volunteers are. Groups with nothing are left out."""
    ranked = _ranked(metric, window, Scope(path=within if kind != "team" else None))
    stmt: Select[Any]
    if kind == "team":
        stmt = select(VolunteerTeam.team_id.label("gid"), ranked.c.figure).join(
            VolunteerTeam, VolunteerTeam.user_id == ranked.c.uid
        )
    elif kind == "community":
        stmt = select(ranked.c.community_id.label("gid"), ranked.c.figure)
    else:  # a street: the community's parent
        community = OrgUnit.__table__.alias("community")
        stmt = (
            select(community.c.parent_id.label("gid"), ranked.c.figure)
            .select_from(ranked)
            .join(community, community.c.id == ranked.c.community_id)
        )
    per = stmt.subquery()
    total = func.sum(per.c.figure)
    rank = func.rank().over(order_by=total.desc())
    query = (
        select(rank, per.c.gid, total, func.count())
        .group_by(per.c.gid)
        .order_by(total.desc(), per.c.gid)
    )
    return [
        GroupRow(int(r), int(g), int(f), int(n))
        for r, g, f, n in await session.execute(query)
        if g is not None
    ]
