from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


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
