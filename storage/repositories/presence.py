"""Who is talking to the bot, for many people at once: the user rows with what decides
their roles, read in one query, and their "last seen" and Telegram names, written in
one statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CoordinatorBinding, OrgUnit, User, VolunteerProfile

# telegram ids per IN (…) list: well under SQLite's and asyncpg's bound-parameter limits
CHUNK = 500


@dataclass(frozen=True)
class Presence:
    """A user row's columns that ``touch`` needs, and their roles: a plain object, as
    building a thousand ORM objects (four per user) costs more than the query."""

    id: int
    telegram_id: int
    first_name: str
    last_name: str | None
    username: str | None
    telegram_language: str | None
    language: str | None
    community_id: int | None
    last_seen_at: datetime | None
    unreachable_since: datetime | None
    volunteer_status: str | None
    coordinator_unit: OrgUnit | None  # the unit of their coordinator binding


async def presence_many(session: AsyncSession, telegram_ids: Sequence[int]) -> dict[int, Presence]:
    """:class:`Presence` of each telegram id that has a user, in one query per
    :data:`CHUNK` ids (and one for the units of the few coordinators among them)."""
    rows: list[Any] = []
    ids = sorted(set(telegram_ids))
    for start in range(0, len(ids), CHUNK):
        stmt = (
            select(
                User.id,
                User.telegram_id,
                User.first_name,
                User.last_name,
                User.username,
                User.telegram_language,
                User.language,
                User.community_id,
                User.last_seen_at,
                User.unreachable_since,
                VolunteerProfile.status,
                CoordinatorBinding.unit_id,
            )
            .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
            .outerjoin(CoordinatorBinding, CoordinatorBinding.user_id == User.id)
            .where(User.telegram_id.in_(ids[start : start + CHUNK]))
        )
        rows += (await session.execute(stmt)).all()
    unit_ids = {row.unit_id for row in rows if row.unit_id is not None}
    units: dict[int, OrgUnit] = {}
    if unit_ids:
        found = await session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))
        units = {unit.id: unit for unit in found}
    return {
        row.telegram_id: Presence(
            id=row.id,
            telegram_id=row.telegram_id,
            first_name=row.first_name,
            last_name=row.last_name,
            username=row.username,
            telegram_language=row.telegram_language,
            language=row.language,
            community_id=row.community_id,
            last_seen_at=row.last_seen_at,
            unreachable_since=row.unreachable_since,
            volunteer_status=row.status,
            coordinator_unit=units.get(row.unit_id) if row.unit_id is not None else None,
        )
        for row in rows
    }


async def update_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Update users by id, each row ``{"id": …, column: value, …}``: one executemany
    per set of columns."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    table = cast(Table, User.__table__)
    for columns, group in by_columns.items():
        stmt = (
            update(table)
            .where(table.c.id == bindparam("user_id"))
            .values({c: bindparam(f"new_{c}") for c in columns})
        )
        await session.execute(
            stmt, [{"user_id": r["id"], **{f"new_{c}": r[c] for c in columns}} for r in group]
        )
