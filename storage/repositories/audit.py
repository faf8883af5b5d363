from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, OrgUnit, User


async def record(
    session: AsyncSession,
    *,
    action: str,
    actor_id: int | None = None,
    actor_label: str = "",
    unit_id: int | None = None,
    target_kind: str = "",
    target_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append an entry; returns its id (events are named by it, e.g. in outbox keys)."""
    entry = AuditEntry(
        action=action,
        actor_id=actor_id,
        actor_label=actor_label,
        unit_id=unit_id,
        target_kind=target_kind,
        target_id=target_id,
        detail=detail or {},
    )
    session.add(entry)
    await session.flush()
    return entry.id


async def recent(session: AsyncSession, limit: int = 100) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    return list(await session.scalars(stmt))


def _where(
    path: str | None,
    since: datetime | None,
    actor_id: int | None,
    family: str | None,
    with_unitless: bool,
) -> list[Any]:
    conditions: list[Any] = []
    if path is not None:
        under = AuditEntry.unit_id.in_(
            select(OrgUnit.id).where(OrgUnit.path.startswith(path, autoescape=True))
        )
        conditions.append(or_(under, AuditEntry.unit_id.is_(None)) if with_unitless else under)
    if since is not None:
        conditions.append(AuditEntry.at >= since)
    if actor_id is not None:
        conditions.append(AuditEntry.actor_id == actor_id)
    if family is not None:
        conditions.append(AuditEntry.action.startswith(f"{family}.", autoescape=True))
    return conditions


async def under(
    session: AsyncSession,
    path: str | None,
    *,
    since: datetime | None = None,
    actor_id: int | None = None,
    family: str | None = None,
    with_unitless: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[tuple[AuditEntry, str | None, OrgUnit | None]], int]:
    """Entries of the units under ``path`` (None: every unit; ``with_unitless``: the
    entries of no unit too — the command line's, the configuration's), newest first, with
    the actor's name and the unit; and how many there are."""
    conditions = _where(path, since, actor_id, family, with_unitless)
    total = await session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    stmt = (
        select(AuditEntry, User.first_name, OrgUnit)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(OrgUnit, OrgUnit.id == AuditEntry.unit_id)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows: list[tuple[AuditEntry, str | None, OrgUnit | None]] = [
        (e, n, u) for e, n, u in await session.execute(stmt)
    ]
    return rows, int(total or 0)


async def families(session: AsyncSession, path: str | None, with_unitless: bool) -> list[str]:
    """The kinds of entry (an action's first part: "broadcast", "order" …) there are."""
    conditions = _where(path, None, None, None, with_unitless)
    actions = await session.scalars(select(AuditEntry.action).where(*conditions).distinct())
    return sorted({a.split(".", 1)[0] for a in actions})
