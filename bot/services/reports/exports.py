"""Exports (the coordinator's desk): a unit's month as a table — hours and points per
volunteer, orders per state and category, ratings per volunteer — for the unit and the
units below it. A coordinator exports their own unit or one below it (NotInScope
otherwise); the command line (no actor) any unit. Months as ``[general] timezone``
counts them. The words (column titles) and the file formats are bot/messages/exports.py's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.services.kernel.clock import Clock
from bot.services.kernel.dto import CategoryDTO, UnitDTO, UserDTO
from bot.services.kernel.errors import InvalidValue, NotFound
from bot.services.kernel.scope import require_scope
from bot.services.org.units import category_dto, unit_dto
from storage.database import Database
from storage.repositories import exports as exports_repo
from storage.repositories import org as org_repo

Kind = Literal["hours", "points", "orders", "ratings"]
KINDS: tuple[Kind, ...] = ("hours", "points", "orders", "ratings")
# each kind's columns, in order (their titles: bot/messages/exports.py)
COLUMNS: dict[Kind, tuple[str, ...]] = {
    "hours": ("name", "community", "services", "hours"),
    "points": ("name", "community", "earned", "spent", "balance"),
    "orders": ("state", "category", "orders"),
    "ratings": ("name", "community", "ratings", "average"),
}
Cell = str | int | float


@dataclass(frozen=True)
class Table:
    kind: Kind
    unit: UnitDTO
    month: date  # its first day
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    communities: dict[int, UnitDTO]  # the community ids in the rows, named
    categories: dict[str, CategoryDTO]  # the categories of orders, by code


def month_of(text: str) -> date:
    """``2026-10`` → 1 October 2026; InvalidValue(month, format) otherwise."""
    try:
        parsed = datetime.strptime(text.strip(), "%Y-%m")
    except ValueError:
        raise InvalidValue("month", "format") from None
    return date(parsed.year, parsed.month, 1)


class ExportService:
    def __init__(self, db: Database, clock: Clock, timezone: str) -> None:
        self.db = db
        self.clock = clock
        self.timezone = timezone

    def this_month(self, back: int = 0) -> date:
        """The first day of this month (``back`` months ago), in the configured zone."""
        today = self.clock.now().astimezone(ZoneInfo(self.timezone)).date()
        months = today.year * 12 + today.month - 1 - back
        return date(months // 12, months % 12 + 1, 1)

    def _window(self, month: date) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.timezone)
        since = datetime(month.year, month.month, 1, tzinfo=zone)
        following = month.year * 12 + month.month  # the next month, counted from 0
        until = datetime(following // 12, following % 12 + 1, 1, tzinfo=zone)
        return since, until

    async def table(
        self, actor: UserDTO | None, kind: Kind, month: date, unit_id: int | None = None
    ) -> Table:
        """The table of ``kind`` for the unit (the actor's own when None) and ``month``."""
        if kind not in KINDS:
            raise InvalidValue("export", "unknown")
        since, until = self._window(month)
        async with self.db.read() as session:
            if unit_id is None:
                if actor is None or actor.coordinator_unit is None:
                    raise NotFound("unit")
                unit_id = actor.coordinator_unit.id
            row = await org_repo.unit(session, unit_id)
            if row is None:
                raise NotFound("unit")
            unit = unit_dto(row)
            if actor is not None:
                require_scope(actor, unit.path)
            rows: list[tuple[Cell, ...]]
            if kind == "hours":
                rows = list(await exports_repo.hours(session, unit.path, since, until))
            elif kind == "points":
                rows = list(await exports_repo.points(session, unit.path, since, until))
            elif kind == "orders":
                rows = list(await exports_repo.orders(session, unit.path, since, until))
            else:
                rows = list(await exports_repo.ratings(session, unit.path, since, until))
            communities: dict[int, UnitDTO] = {}
            categories = {
                code: category_dto(c)
                for code, c in (await org_repo.categories_by_codes(session)).items()
            }
            if kind != "orders":
                for community_id in {int(r[1]) for r in rows}:
                    found = await org_repo.unit(session, community_id)
                    if found is not None:
                        communities[community_id] = unit_dto(found)
        return Table(kind, unit, month, COLUMNS[kind], tuple(rows), communities, categories)
