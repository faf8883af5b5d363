"""The organisation tree and specialty teams: lookups and the idempotent import."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import CategoryDTO, TeamDTO, UnitDTO, from_row
from bot.services.kernel.errors import InvalidValue
from bot.services.org.org_file import CategoryEntry, parse_org_file
from storage.database import Database
from storage.enums import UnitKind
from storage.models import Category, OrgUnit, Team
from storage.repositories import org as org_repo

log = logging.getLogger(__name__)


def unit_dto(unit: OrgUnit) -> UnitDTO:
    return from_row(UnitDTO, unit)


def team_dto(team: Team) -> TeamDTO:
    return from_row(TeamDTO, team)


def category_dto(category: Category) -> CategoryDTO:
    return from_row(CategoryDTO, category)


async def _import_categories(
    session: AsyncSession, entries: Sequence[CategoryEntry]
) -> tuple[int, int]:
    """Create or update categories by code; (created, updated)."""
    created = updated = 0
    existing = await org_repo.categories_by_codes(session)
    for sort, entry in enumerate(entries):
        values = (entry.name_zh, entry.name_en, entry.guidance_zh, entry.guidance_en, sort)
        category = existing.get(entry.code)
        if category is None:
            session.add(Category(code=entry.code, **_category_values(values)))
            created += 1
        elif (
            category.name_zh,
            category.name_en,
            category.guidance_zh,
            category.guidance_en,
            category.sort,
        ) != values:
            for key, value in _category_values(values).items():
                setattr(category, key, value)
            updated += 1
    return created, updated


def _category_values(values: tuple[str, str, str, str, int]) -> dict[str, object]:
    keys = ("name_zh", "name_en", "guidance_zh", "guidance_en", "sort")
    return dict(zip(keys, values, strict=True))


def _repair_paths(units: Iterable[OrgUnit], fresh: set[str]) -> None:
    """Recompute the path of every unit not in the file (codes in ``fresh`` have just
    been set): a unit the file leaves out keeps its place below its parent, and if that
    parent moved, its path must follow or scope checks would use the old tree."""
    by_id = {u.id: u for u in units}
    paths = {u.id: u.path for u in by_id.values() if u.code in fresh}

    def path_of(unit: OrgUnit) -> str:
        if unit.id not in paths:
            parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
            paths[unit.id] = f"{path_of(parent) if parent else '/'}{unit.id}/"
        return paths[unit.id]

    for unit in by_id.values():
        path = path_of(unit)
        if unit.path != path:
            unit.path = path


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int
    teams_created: int
    teams_updated: int
    categories_created: int = 0
    categories_updated: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.teams_created
            or self.teams_updated
            or self.categories_created
            or self.categories_updated
        )


def _log_failed_read(task: asyncio.Future[tuple[CategoryDTO, ...]]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not read the categories", exc_info=task.exception())


class OrgService:
    """Categories are read on hot paths (a winner's place message in a grab storm) and
    change only by the org import: they are cached (read at start-up,
    :meth:`load_categories`), dropped by :meth:`import_file`, and read again once
    ``category_ttl`` seconds have passed — in the background, the cached ones answering
    meanwhile, so no caller waits for that read (an import run by another process, e.g.
    ``volunteer-bot org import`` beside the running bot, shows within about that
    time)."""

    def __init__(
        self,
        db: Database,
        *,
        category_ttl: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.category_ttl = category_ttl
        self._monotonic = monotonic
        self._categories: tuple[CategoryDTO, ...] | None = None
        self._categories_until = 0.0
        self._categories_generation = 0  # bumped by each import: a read begun before it
        # must not cache what it found
        self._categories_loading: asyncio.Future[tuple[CategoryDTO, ...]] | None = None

    def forget_categories(self) -> None:
        """Read the categories from the database again next time."""
        self._categories = None
        self._categories_generation += 1
        self._categories_loading = None  # a read under way may predate the change

    async def import_file(self, path: Path) -> ImportReport:
        """Create or update units and teams by code. Nothing is deleted: units missing
        from the file stay (people and orders refer to them)."""
        org = parse_org_file(path)
        created = updated = unchanged = teams_created = teams_updated = 0
        async with self.db.transaction() as session:
            existing = await org_repo.units_by_codes(session)
            for sort, (kind, entry, parent_code) in enumerate(org.units()):
                parent = existing[parent_code] if parent_code else None
                unit = existing.get(entry.code)
                if unit is None:
                    unit = OrgUnit(code=entry.code, kind=kind.value, path="")
                    session.add(unit)
                    created += 1
                    before = None
                else:
                    before = (unit.kind, unit.name_zh, unit.name_en, unit.parent_id, unit.sort)
                unit.kind = kind.value
                unit.name_zh, unit.name_en = entry.name_zh, entry.name_en
                unit.parent_id = parent.id if parent else None
                unit.sort = sort
                await session.flush()
                unit.path = f"{parent.path if parent else '/'}{unit.id}/"
                existing[entry.code] = unit
                if before is not None:
                    now = (unit.kind, unit.name_zh, unit.name_en, unit.parent_id, unit.sort)
                    if now != before:
                        updated += 1
                    else:
                        unchanged += 1
            _repair_paths(existing.values(), {entry.code for _k, entry, _p in org.units()})
            await session.flush()
            teams = await org_repo.teams_by_codes(session)
            for sort, entry in enumerate(org.team):
                team = teams.get(entry.code)
                if team is None:
                    session.add(
                        Team(
                            code=entry.code, name_zh=entry.name_zh, name_en=entry.name_en, sort=sort
                        )
                    )
                    teams_created += 1
                elif (team.name_zh, team.name_en, team.sort) != (
                    entry.name_zh,
                    entry.name_en,
                    sort,
                ):
                    team.name_zh, team.name_en, team.sort = entry.name_zh, entry.name_en, sort
                    teams_updated += 1
            categories = await _import_categories(session, org.category)
        self.forget_categories()  # committed: read them again
        return ImportReport(created, updated, unchanged, teams_created, teams_updated, *categories)

    async def unit(self, unit_id: int) -> UnitDTO | None:
        async with self.db.read() as session:
            unit = await org_repo.unit(session, unit_id)
            return unit_dto(unit) if unit else None

    async def unit_by_code(self, code: str) -> UnitDTO | None:
        async with self.db.read() as session:
            unit = await org_repo.unit_by_code(session, code)
            return unit_dto(unit) if unit else None

    async def find_unit(self, name_or_code: str) -> UnitDTO | None:
        """The unit with this code, else the one unit with exactly this Chinese or
        English name. Several units of that name raise ``InvalidValue("unit",
        "ambiguous", codes=[...])``; none gives None."""
        text = name_or_code.strip()
        if not text:
            return None
        async with self.db.read() as session:
            units = await org_repo.units_named(session, text)
        by_code = [u for u in units if u.code == text]
        if by_code:
            return unit_dto(by_code[0])
        if len(units) > 1:
            raise InvalidValue("unit", "ambiguous", name=text, codes=[u.code for u in units])
        return unit_dto(units[0]) if units else None

    async def roots(self) -> list[UnitDTO]:
        """The units at the top of the tree (normally the one district)."""
        async with self.db.read() as session:
            return [unit_dto(u) for u in await org_repo.roots(session)]

    async def streets(self, with_communities_only: bool = True) -> list[UnitDTO]:
        async with self.db.read() as session:
            streets = await org_repo.of_kind(session, UnitKind.STREET.value)
            if with_communities_only:
                counts = await org_repo.count_children(session, [s.id for s in streets])
                streets = [s for s in streets if counts.get(s.id)]
            return [unit_dto(s) for s in streets]

    async def children(self, unit_id: int, kind: UnitKind | None = None) -> list[UnitDTO]:
        async with self.db.read() as session:
            units = await org_repo.children(session, unit_id, kind.value if kind else None)
            return [unit_dto(u) for u in units]

    async def child_counts(self, unit_ids: list[int]) -> dict[int, int]:
        async with self.db.read() as session:
            return await org_repo.count_children(session, unit_ids)

    async def require_child(
        self, parent_id: int, unit_id: int, kind: UnitKind, field: str
    ) -> UnitDTO:
        """The unit, if it is a ``kind`` directly under ``parent_id``; else InvalidValue."""
        unit = await self.unit(unit_id)
        if unit is None or unit.parent_id != parent_id or unit.kind != kind.value:
            raise InvalidValue(field, "not_found")
        return unit

    async def teams(self) -> list[TeamDTO]:
        async with self.db.read() as session:
            return [team_dto(t) for t in await org_repo.teams(session)]

    async def categories(self) -> list[CategoryDTO]:
        cached = self._categories
        if cached is None:
            # one read for all who ask at once (a storm's winners on a cold cache)
            cached = await asyncio.shield(self._refresh())
        elif self._monotonic() >= self._categories_until:
            self._refresh()  # read again in the background; the cached ones serve meanwhile
        return list(cached)

    async def load_categories(self) -> None:
        """Read the categories now (at start-up: the first storm finds them cached)."""
        await asyncio.shield(self._refresh())

    def _refresh(self) -> asyncio.Future[tuple[CategoryDTO, ...]]:
        """The read of the categories under way, or a new one."""
        if self._categories_loading is None or self._categories_loading.done():
            self._categories_loading = asyncio.ensure_future(self._load_categories())
            self._categories_loading.add_done_callback(_log_failed_read)
        return self._categories_loading

    async def _load_categories(self) -> tuple[CategoryDTO, ...]:
        generation = self._categories_generation
        async with self.db.read() as session:
            loaded = tuple(category_dto(c) for c in await org_repo.categories(session))
        if generation == self._categories_generation:
            self._categories = loaded
            self._categories_until = self._monotonic() + self.category_ttl
        return loaded

    async def category(self, code: str) -> CategoryDTO | None:
        """The category with this code (from the cache, see the class)."""
        return next((c for c in await self.categories() if c.code == code), None)
