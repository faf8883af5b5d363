from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Category, OrgUnit, Team


async def unit(session: AsyncSession, unit_id: int) -> OrgUnit | None:
    return await session.get(OrgUnit, unit_id)


async def unit_by_code(session: AsyncSession, code: str) -> OrgUnit | None:
    return await session.scalar(select(OrgUnit).where(OrgUnit.code == code))


async def units_named(session: AsyncSession, name: str) -> list[OrgUnit]:
    """Units whose code, Chinese name or English name is exactly ``name``."""
    stmt = select(OrgUnit).where(
        or_(OrgUnit.code == name, OrgUnit.name_zh == name, OrgUnit.name_en == name)
    )
    return list(await session.scalars(stmt.order_by(OrgUnit.sort, OrgUnit.id)))


async def units_by_codes(session: AsyncSession) -> dict[str, OrgUnit]:
    return {u.code: u for u in await session.scalars(select(OrgUnit))}


async def children(
    session: AsyncSession, parent_id: int | None, kind: str | None = None
) -> list[OrgUnit]:
    stmt = select(OrgUnit).where(
        OrgUnit.parent_id.is_(None) if parent_id is None else OrgUnit.parent_id == parent_id
    )
    if kind is not None:
        stmt = stmt.where(OrgUnit.kind == kind)
    return list(await session.scalars(stmt.order_by(OrgUnit.sort, OrgUnit.id)))


async def of_kind(session: AsyncSession, kind: str) -> list[OrgUnit]:
    stmt = select(OrgUnit).where(OrgUnit.kind == kind).order_by(OrgUnit.sort, OrgUnit.id)
    return list(await session.scalars(stmt))


async def roots(session: AsyncSession) -> list[OrgUnit]:
    return await children(session, None)


async def count_children(session: AsyncSession, parent_ids: list[int]) -> dict[int, int]:
    if not parent_ids:
        return {}
    rows = await session.execute(
        select(OrgUnit.parent_id, func.count())
        .where(OrgUnit.parent_id.in_(parent_ids))
        .group_by(OrgUnit.parent_id)
    )
    return {int(parent): int(n) for parent, n in rows.all() if parent is not None}


async def teams(session: AsyncSession) -> list[Team]:
    return list(await session.scalars(select(Team).order_by(Team.sort, Team.id)))


async def teams_by_codes(session: AsyncSession) -> dict[str, Team]:
    return {t.code: t for t in await session.scalars(select(Team))}


async def categories(session: AsyncSession) -> list[Category]:
    return list(await session.scalars(select(Category).order_by(Category.sort, Category.id)))


async def categories_by_codes(session: AsyncSession) -> dict[str, Category]:
    return {c.code: c for c in await session.scalars(select(Category))}


async def subtree(session: AsyncSession, path: str) -> list[OrgUnit]:
    """The unit at ``path`` and every unit below it."""
    stmt = select(OrgUnit).where(OrgUnit.path.startswith(path, autoescape=True))
    return list(await session.scalars(stmt.order_by(OrgUnit.path)))
