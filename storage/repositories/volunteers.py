from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.enums import ApprovalState
from storage.models import OrgUnit, Team, User, VolunteerProfile, VolunteerTeam


async def profile(session: AsyncSession, user_id: int) -> VolunteerProfile | None:
    return await session.get(VolunteerProfile, user_id)


async def team_ids(session: AsyncSession, user_id: int) -> list[int]:
    stmt = select(VolunteerTeam.team_id).where(VolunteerTeam.user_id == user_id)
    return list(await session.scalars(stmt))


async def teams_of(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, list[Team]]:
    result: dict[int, list[Team]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return result
    rows = await session.execute(
        select(VolunteerTeam.user_id, Team)
        .join(Team, Team.id == VolunteerTeam.team_id)
        .where(VolunteerTeam.user_id.in_(user_ids))
        .order_by(Team.sort, Team.id)
    )
    for user_id, team in rows.all():
        result[user_id].append(team)
    return result


async def set_teams(session: AsyncSession, user_id: int, team_ids: Sequence[int]) -> None:
    await session.execute(delete(VolunteerTeam).where(VolunteerTeam.user_id == user_id))
    session.add_all(VolunteerTeam(user_id=user_id, team_id=t) for t in sorted(set(team_ids)))
    await session.flush()


def _pending_under(unit_path: str):  # type: ignore[no-untyped-def]
    """Pending volunteers whose community — or grid, for a grid's coordinator — lies at or
    below the unit."""
    grid = aliased(OrgUnit)
    return (
        select(VolunteerProfile, User)
        .join(User, User.id == VolunteerProfile.user_id)
        .join(OrgUnit, OrgUnit.id == VolunteerProfile.community_id)
        .outerjoin(grid, grid.id == VolunteerProfile.grid_id)
        .where(VolunteerProfile.status == ApprovalState.PENDING.value)
        .where(
            or_(
                OrgUnit.path.startswith(unit_path, autoescape=True),
                grid.path.startswith(unit_path, autoescape=True),
            )
        )
    )


async def pending_under(
    session: AsyncSession, unit_path: str, offset: int, limit: int
) -> tuple[list[tuple[VolunteerProfile, User]], int]:
    """Pending volunteers whose community lies at or below the unit, oldest first."""
    base = _pending_under(unit_path)
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await session.execute(
        base.order_by(VolunteerProfile.created_at, VolunteerProfile.user_id)
        .offset(offset)
        .limit(limit)
    )
    return [(p, u) for p, u in rows.all()], int(total)


async def decide(
    session: AsyncSession, user_id: int, status: str, decided_by_id: int, at: datetime
) -> bool:
    """Pending → approved/declined, once: False when someone decided first."""
    result = await session.execute(
        update(VolunteerProfile)
        .where(VolunteerProfile.user_id == user_id)
        .where(VolunteerProfile.status == ApprovalState.PENDING.value)
        .values(status=status, decided_by_id=decided_by_id, decided_at=at, updated_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def approved_under(
    session: AsyncSession, unit_path: str, team_id: int | None = None
) -> list[User]:
    """Approved volunteers whose community lies at or below the unit (in the team, when
    one is given), by id."""
    stmt = (
        select(User)
        .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .join(OrgUnit, OrgUnit.id == VolunteerProfile.community_id)
        .where(VolunteerProfile.status == ApprovalState.APPROVED.value)
        .where(OrgUnit.path.startswith(unit_path, autoescape=True))
    )
    if team_id is not None:
        stmt = stmt.where(
            User.id.in_(select(VolunteerTeam.user_id).where(VolunteerTeam.team_id == team_id))
        )
    return list(await session.scalars(stmt.order_by(User.id)))
