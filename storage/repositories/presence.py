"""Who is talking to the bot, for many people at once: the user rows with what decides
their roles, read in one query, and their "last seen" and Telegram names, written in
one statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CoordinatorBinding, OrgUnit, User, VolunteerProfile
from storage.repositories.id_lists import among


class Presence(NamedTuple):
    """A user row's columns that ``touch`` needs, and their roles: a plain tuple, as
    building a thousand ORM objects (four per user) costs more than the query, and a
    frozen dataclass's ``__init__`` more than a tuple's (see bench/README.md, section
    "Touch read by position")."""

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
    menu: str | None  # the digest of the command menu last set for their chat
    volunteer_status: str | None
    real_name: str | None  # the name they registered with as a volunteer
    coordinator_unit: OrgUnit | None  # the unit of their coordinator binding


_UNIT = len(Presence._fields) - 1  # the binding's unit id: the query's last column


async def presence_many(session: AsyncSession, telegram_ids: Sequence[int]) -> dict[int, Presence]:
    """:class:`Presence` of each telegram id that has a user, in one query (and one for
    the units of the few coordinators among them)."""
    # the columns in Presence's order (the rows are read by position, below)
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
            User.menu,
            VolunteerProfile.status,
            VolunteerProfile.real_name,
            CoordinatorBinding.unit_id,
        )
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .outerjoin(CoordinatorBinding, CoordinatorBinding.user_id == User.id)
        .where(among(session, User.telegram_id, set(telegram_ids)))
    )
    rows = (await session.execute(stmt)).all()
    unit_ids = {row[_UNIT] for row in rows if row[_UNIT] is not None}
    units: dict[int, OrgUnit] = {}
    if unit_ids:
        found = await session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))
        units = {u.id: u for u in found}
    # by position: a ``Row``'s attributes are looked up by name, at a cost per lookup, and
    # a storm reads a thousand rows of fourteen (bench/README.md, "Touch read by position")
    return {
        row[1]: Presence._make(
            (*row[:_UNIT], units.get(cast(int, row[_UNIT])) if row[_UNIT] is not None else None)
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
