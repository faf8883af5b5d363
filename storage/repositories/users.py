from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CoordinatorBinding, OrgUnit, User, VolunteerProfile
from storage.repositories.upsert import insert_for


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.scalar(select(User).where(User.telegram_id == telegram_id))


async def by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def by_username(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(select(User).where(User.username.ilike(username)))


async def with_roles(
    session: AsyncSession, telegram_id: int
) -> tuple[User, VolunteerProfile | None, CoordinatorBinding | None, OrgUnit | None] | None:
    """The user with what decides their roles, in one query."""
    row = (
        await session.execute(
            select(User, VolunteerProfile, CoordinatorBinding, OrgUnit)
            .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
            .outerjoin(CoordinatorBinding, CoordinatorBinding.user_id == User.id)
            .outerjoin(OrgUnit, OrgUnit.id == CoordinatorBinding.unit_id)
            .where(User.telegram_id == telegram_id)
        )
    ).first()
    if row is None:
        return None
    return row[0], row[1], row[2], row[3]


async def ensure(session: AsyncSession, telegram_id: int, **values: object) -> User:
    """Insert the user if missing (safe against a concurrent insert), then return it."""
    stmt = insert_for(session, User.__table__).values(telegram_id=telegram_id, **values)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["telegram_id"]))
    user = await by_telegram_id(session, telegram_id)
    assert user is not None
    return user


async def many(session: AsyncSession, user_ids: Sequence[int]) -> list[User]:
    if not user_ids:
        return []
    return list(await session.scalars(select(User).where(User.id.in_(user_ids))))
