"""Star levels (星级志愿者): the highest level a volunteer was told of, raised once."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import VolunteerProfile


async def raise_announced(session: AsyncSession, user_id: int, level: int) -> bool:
    """Record ``level`` as told, if it is above what was: True once per level reached
    (a concurrent transaction that raised it first makes this one False)."""
    result = await session.execute(
        update(VolunteerProfile)
        .where(VolunteerProfile.user_id == user_id, VolunteerProfile.stars_announced < level)
        .values(stars_announced=level)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def profile(session: AsyncSession, user_id: int) -> VolunteerProfile | None:
    return await session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user_id))
