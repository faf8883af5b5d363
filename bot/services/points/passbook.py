"""The volunteer's own views of the points bank: the passbook (存折) — each movement with
its date, what it was for, + or −, and the balance just after it, as stored beside the
movement (never recomputed) — paged 10 a page, newest first; and the summary of
``/points``: the balance, and the hours and points of this month, this year and in all,
months and years as the configured timezone counts them. Only one's own: no one is
shown another volunteer's passbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import CategoryDTO, Page, UnitDTO, UserDTO
from bot.services.kernel.paging import fetch_page
from bot.services.org.units import category_dto, unit_dto
from bot.services.points.ledger import PointsBase, balance_of
from storage.enums import AccountKind, MovementKind
from storage.repositories import org as org_repo
from storage.repositories import passbook as passbook_repo
from storage.repositories import users as users_repo
from storage.repositories import volunteers as volunteers_repo

PAGE_SIZE = 10


@dataclass(frozen=True)
class Entry:
    """One line of a passbook."""

    at: datetime
    kind: MovementKind
    amount: int  # signed tenths: + came in, − went out
    balance: int  # tenths, just after
    order_number: str | None = None  # earn, bonus, an hours correction
    category: CategoryDTO | None = None
    reason: str | None = None  # an adjustment's
    reward: str | None = None  # redeem, refund
    other_name: str | None = None  # a transfer's other volunteer
    fund: UnitDTO | None = None  # a transfer to (or from) a unit's fund


@dataclass(frozen=True)
class Period:
    minutes: int
    points: int  # tenths earned (earns, bonuses, adjustments)


@dataclass(frozen=True)
class Summary:
    balance: int
    month: Period
    year: Period
    total: Period


class Passbook(PointsBase):
    async def passbook(self, user: UserDTO, page: int = 0) -> Page[Entry]:
        """The user's own passbook, ``page`` (0-based) of it."""
        async with self.db.read() as session:
            accounts = await passbook_repo.volunteer_accounts(session, [user.id])
            account = accounts.get(user.id)
            if account is None:
                return Page((), 0, 1, 0)

            async def fetch(offset: int, limit: int) -> tuple[list[passbook_repo.Line], int]:
                rows, total = await passbook_repo.lines(session, account, offset, limit)
                return list(rows), total

            rows, shown, pages, total = await fetch_page(fetch, page, PAGE_SIZE)
            categories = {
                code: category_dto(c)
                for code, c in (await org_repo.categories_by_codes(session)).items()
            }
            names = await self._names(session, [r.other_user_id for r in rows if r.other_user_id])
            units = {}
            for unit_id in {r.other_unit_id for r in rows if r.other_unit_id}:
                unit = await org_repo.unit(session, unit_id)
                if unit is not None:
                    units[unit_id] = unit_dto(unit)
        entries = tuple(_entry(r, categories, names, units) for r in rows)
        return Page(entries, shown, pages, total)

    async def _names(self, session: AsyncSession, user_ids: list[int]) -> dict[int, str]:
        names: dict[int, str] = {}
        for user_id in set(user_ids):
            profile = await volunteers_repo.profile(session, user_id)
            if profile is not None:
                names[user_id] = profile.real_name
            elif (user := await users_repo.by_id(session, user_id)) is not None:
                names[user_id] = user.first_name
        return names

    async def summary(self, user: UserDTO) -> Summary:
        """``/points``: the balance, and hours and points this month, year, in all."""
        now = self.clock.now().astimezone(ZoneInfo(self.timezone))
        month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        year = month.replace(month=1)
        async with self.db.read() as session:
            balance = await balance_of(session, user.id)
            accounts = await passbook_repo.volunteer_accounts(session, [user.id])
            periods = []
            for since in (month, year, None):
                minutes = await passbook_repo.minutes_since(session, user.id, since)
                account = accounts.get(user.id)
                points = (
                    await passbook_repo.earned_since(session, account, since)
                    if account is not None
                    else 0
                )
                periods.append(Period(minutes, points))
        return Summary(balance, *periods)


def _entry(
    row: passbook_repo.Line,
    categories: dict[str, CategoryDTO],
    names: dict[int, str],
    units: dict[int, UnitDTO],
) -> Entry:
    m = row.movement
    return Entry(
        at=m.created_at,
        kind=MovementKind(m.kind),
        amount=m.amount if row.incoming else -m.amount,
        balance=row.balance,
        order_number=row.order_number,
        category=categories.get(row.order_category) if row.order_category else None,
        reason=m.reason,
        reward=row.reward_name,
        other_name=names.get(row.other_user_id) if row.other_user_id else None,
        fund=units.get(row.other_unit_id)
        if row.other_unit_id and row.other_kind == AccountKind.FUND.value
        else None,
    )
