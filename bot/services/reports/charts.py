"""The coordinator's charts: their unit's last 12 weeks (weeks from Monday, as
``[general] timezone`` counts them) — orders completed and hours served each week — and
the mix of categories of the orders made in those weeks. The drawing is
bot/messages/charts.py's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.kernel.clock import Clock
from bot.services.kernel.dto import CategoryDTO, UnitDTO, UserDTO
from bot.services.kernel.scope import require_coordinator
from bot.services.org.units import category_dto
from storage.database import Database
from storage.repositories import charts as charts_repo
from storage.repositories import org as org_repo

WEEKS = 12


@dataclass(frozen=True)
class Weekly:
    unit: UnitDTO
    weeks: tuple[date, ...]  # each week's Monday, oldest first
    orders: tuple[int, ...]  # completed that week
    minutes: tuple[int, ...]  # served on them
    categories: tuple[tuple[CategoryDTO | None, str, int], ...]  # (category, code, orders)


class ChartService:
    def __init__(self, db: Database, clock: Clock, timezone: str) -> None:
        self.db = db
        self.clock = clock
        self.timezone = timezone

    async def weekly(self, actor: UserDTO) -> Weekly:
        unit = require_coordinator(actor)
        zone = ZoneInfo(self.timezone)
        today = self.clock.now().astimezone(zone).date()
        first = today - timedelta(days=today.weekday(), weeks=WEEKS - 1)
        since = datetime(first.year, first.month, first.day, tzinfo=zone)
        weeks = tuple(first + timedelta(weeks=n) for n in range(WEEKS))
        orders, minutes = [0] * WEEKS, [0] * WEEKS
        async with self.db.read() as session:
            for at, served in await charts_repo.completed(session, unit.path, since):
                index = (at.astimezone(zone).date() - first).days // 7
                if 0 <= index < WEEKS:
                    orders[index] += 1
                    minutes[index] += served
            known = {
                code: category_dto(c)
                for code, c in (await org_repo.categories_by_codes(session)).items()
            }
            mix = tuple(
                (known.get(code), code, n)
                for code, n in await charts_repo.categories(session, unit.path, since)
            )
        return Weekly(unit, weeks, tuple(orders), tuple(minutes), mix)
