from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CoordinatorBinding, OrgUnit, User

Row = tuple[CoordinatorBinding, User, OrgUnit]


async def binding(session: AsyncSession, user_id: int) -> CoordinatorBinding | None:
    return await session.scalar(
        select(CoordinatorBinding).where(CoordinatorBinding.user_id == user_id)
    )


async def bind(
    session: AsyncSession, user_id: int, unit_id: int, appointed_by_id: int | None
) -> CoordinatorBinding:
    current = await binding(session, user_id)
    if current is None:
        current = CoordinatorBinding(
            user_id=user_id, unit_id=unit_id, appointed_by_id=appointed_by_id
        )
        session.add(current)
    else:
        current.unit_id = unit_id
        current.appointed_by_id = appointed_by_id
    await session.flush()
    return current


async def unbind(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(CoordinatorBinding).where(CoordinatorBinding.user_id == user_id))


async def under(session: AsyncSession, unit_path: str) -> list[Row]:
    """Coordinators bound at or below the unit, by unit then name."""
    rows = await session.execute(
        select(CoordinatorBinding, User, OrgUnit)
        .join(User, User.id == CoordinatorBinding.user_id)
        .join(OrgUnit, OrgUnit.id == CoordinatorBinding.unit_id)
        .where(OrgUnit.path.startswith(unit_path, autoescape=True))
        .order_by(OrgUnit.path, User.first_name, User.id)
    )
    return [(b, u, o) for b, u, o in rows.all()]


async def at_units(session: AsyncSession, unit_ids: list[int]) -> list[Row]:
    if not unit_ids:
        return []
    rows = await session.execute(
        select(CoordinatorBinding, User, OrgUnit)
        .join(User, User.id == CoordinatorBinding.user_id)
        .join(OrgUnit, OrgUnit.id == CoordinatorBinding.unit_id)
        .where(CoordinatorBinding.unit_id.in_(unit_ids))
    )
    return [(b, u, o) for b, u, o in rows.all()]
