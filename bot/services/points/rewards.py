"""The rewards catalogue (公益兑换): coordinators keep one per unit — a reward's name,
description, cost in points, stock, the days it is offered and an optional photo — and
the volunteers of that unit and of the units below it browse what is offered now and
in stock (:mod:`bot.services.points.redemptions` redeems).

Costs are whole tenths of a point (typed as a decimal: ``amounts.tenths``). The days a
reward is offered are local days (the configured timezone): from the start of the first
to the end of the last. Adding, editing and withdrawing are audited."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import Page, Role, UserDTO, from_row
from bot.services.kernel.errors import DomainError, InvalidValue, NotFound
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.paging import fetch_page
from bot.services.kernel.scope import (
    ancestor_ids,
    require_coordinator,
    require_role,
    require_scope,
)
from bot.services.kernel.validation import free_text
from bot.services.points.amounts import tenths
from storage.enums import AccountKind
from storage.models import Reward
from storage.repositories import audit as audit_repo
from storage.repositories import org as org_repo
from storage.repositories import rewards as rewards_repo
from storage.repositories.points import account_key

NAME_MAX = 64  # rewards.name
DESCRIPTION_MAX = 1000  # rewards.description
COST_MAX = 1_000_000 * 10  # a million points, in tenths
STOCK_MAX = 100_000
PAGE_SIZE = 5


# ---- errors --------------------------------------------------------------------------


class OutOfStock(DomainError):
    """Every one of the reward has been redeemed."""

    code = "out_of_stock"


class RewardUnavailable(DomainError):
    """The reward is withdrawn, not offered on this day, or not offered to this
    volunteer's community."""

    code = "reward_unavailable"


# ---- checks (the drafts' validators call them too) ----------------------------------


def check_name(value: str) -> str:
    return free_text(value, "reward_name", NAME_MAX, one_line=True)


def check_description(value: str) -> str:
    return free_text(value, "reward_description", DESCRIPTION_MAX)


def check_cost(value: int) -> int:
    """A cost in tenths: more than 0, at most a million points."""
    if value <= 0:
        raise InvalidValue("cost", "not_positive")
    if value > COST_MAX:
        raise InvalidValue("cost", "too_high", max=COST_MAX // 10)
    return value


def typed_cost(text: str) -> int:
    """A cost as typed ("5", "2.5", "２.５"): tenths, checked."""
    return check_cost(tenths(unicodedata.normalize("NFKC", text), "cost"))


def check_stock(value: int) -> int:
    if not 0 <= value <= STOCK_MAX:
        raise InvalidValue("stock", "range", max=STOCK_MAX)
    return value


def check_days(first: date | None, last: date | None) -> None:
    """The last day offered is not before the first."""
    if first is not None and last is not None and last < first:
        raise InvalidValue("reward_dates", "end_before_start", start=first.isoformat())


# ---- data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RewardForm:
    """A reward as a coordinator gives it (checked again by the service)."""

    name: str
    cost: int  # tenths
    stock: int
    description: str = ""
    first_day: date | None = None
    last_day: date | None = None
    photo_file_id: str | None = None


@dataclass(frozen=True)
class RewardDTO:
    id: int
    unit_id: int
    name: str
    description: str
    cost: int  # tenths
    stock: int
    first_day: date | None
    last_day: date | None
    photo_file_id: str | None
    active: bool

    def form(self) -> RewardForm:
        return from_row(RewardForm, self)


@dataclass(frozen=True)
class RedemptionDTO:
    """A volunteer's redemption of a reward, with the reward's name as it is now."""

    id: int
    reward_id: int
    reward_name: str
    volunteer_id: int
    cost: int  # tenths, as it cost when redeemed
    state: str
    created_at: datetime
    decided_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Offer:
    """A reward offered to a volunteer, with their balance (tenths) before redeeming."""

    reward: RewardDTO
    balance: int

    @property
    def after(self) -> int:
        return self.balance - self.reward.cost


def volunteer_key(user_id: int) -> str:
    return account_key(AccountKind.VOLUNTEER, user_id)


class Days:
    """Local days ↔ the instants stored: a reward is offered from the start of its
    first day to the end of its last (the next day's start, exclusive)."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)

    def start(self, day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time(), self.zone)

    def end(self, day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day + timedelta(days=1), time(), self.zone)

    def first(self, at: datetime | None) -> date | None:
        return None if at is None else at.astimezone(self.zone).date()

    def last(self, at: datetime | None) -> date | None:
        return None if at is None else (at.astimezone(self.zone) - timedelta(days=1)).date()

    def dto(self, reward: Reward) -> RewardDTO:
        return from_row(
            RewardDTO,
            reward,
            description=reward.description or "",
            first_day=self.first(reward.active_from),
            last_day=self.last(reward.active_to),
        )


def checked(form: RewardForm) -> RewardForm:
    check_days(form.first_day, form.last_day)
    description = form.description.strip() and check_description(form.description)
    return replace(
        form,
        name=check_name(form.name),
        cost=check_cost(form.cost),
        stock=check_stock(form.stock),
        description=description or "",
    )


@dataclass(eq=False)
class RewardService(LoopService):
    """The catalogue: coordinators manage their unit's, volunteers browse theirs."""

    @property
    def days(self) -> Days:
        return Days(self.timezone)

    def _columns(self, form: RewardForm) -> dict[str, object]:
        return {
            "name": form.name,
            "description": form.description,
            "cost": form.cost,
            "stock": form.stock,
            "active_from": self.days.start(form.first_day),
            "active_to": self.days.end(form.last_day),
            "photo_file_id": form.photo_file_id,
        }

    async def _audit(
        self, session: AsyncSession, action: str, actor: UserDTO, reward: Reward, **detail: object
    ) -> None:
        await audit_repo.record(
            session,
            action=action,
            actor_id=actor.id,
            unit_id=reward.unit_id,
            target_kind="reward",
            target_id=reward.id,
            detail={"name": reward.name, "cost": reward.cost, "stock": reward.stock, **detail},
        )

    async def add(
        self, actor: UserDTO, form: RewardForm, *, draft_of: int | None = None
    ) -> RewardDTO:
        """A reward in the catalogue of the coordinator's unit."""
        unit = require_coordinator(actor)
        form = checked(form)
        now = self.clock.now()
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)
            reward = await rewards_repo.add(
                session,
                unit_id=unit.id,
                created_by_id=actor.id,
                created_at=now,
                updated_at=now,
                active=True,
                **self._columns(form),
            )
            await self._audit(session, "reward.add", actor, reward)
            return self.days.dto(reward)

    async def _managed(self, session: AsyncSession, actor: UserDTO, reward_id: int) -> Reward:
        """A reward of a unit at or below the coordinator's (not withdrawn)."""
        require_coordinator(actor)
        reward = await rewards_repo.get(session, reward_id)
        if reward is None or not reward.active:
            raise NotFound("reward")
        unit = await org_repo.unit(session, reward.unit_id)
        assert unit is not None
        require_scope(actor, unit.path)
        return reward

    async def manageable(self, actor: UserDTO, reward_id: int) -> RewardDTO:
        async with self.db.read() as session:
            return self.days.dto(await self._managed(session, actor, reward_id))

    async def edit(
        self, actor: UserDTO, reward_id: int, form: RewardForm, *, draft_of: int | None = None
    ) -> RewardDTO:
        """The reward as the form says now (its stock too); audited with what changed."""
        form = checked(form)
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)
            reward = await self._managed(session, actor, reward_id)
            before = self.days.dto(reward).form()
            changed = {k: str(v) for k, v in vars(form).items() if getattr(before, k) != v}
            await rewards_repo.change(session, reward.id, self.clock.now(), **self._columns(form))
            fresh = await rewards_repo.get(session, reward.id)
            assert fresh is not None
            await self._audit(session, "reward.edit", actor, fresh, changed=sorted(changed))
            return self.days.dto(fresh)

    async def withdraw(self, actor: UserDTO, reward_id: int) -> RewardDTO:
        """Out of the catalogue (redemptions already made stay as they are)."""
        async with self.db.transaction() as session:
            reward = await self._managed(session, actor, reward_id)
            await rewards_repo.change(session, reward.id, self.clock.now(), active=False)
            fresh = await rewards_repo.get(session, reward.id)
            assert fresh is not None
            await self._audit(session, "reward.withdraw", actor, fresh)
            return self.days.dto(fresh)

    async def managed(self, actor: UserDTO, page: int) -> Page[RewardDTO]:
        """The catalogue of the coordinator's own unit, newest first."""
        unit = require_coordinator(actor)
        async with self.db.read() as session:

            async def fetch(offset: int, limit: int) -> tuple[list[Reward], int]:
                return await rewards_repo.of_unit(session, unit.id, offset, limit)

            rows, shown, pages, total = await fetch_page(fetch, page, PAGE_SIZE)
        return Page(tuple(self.days.dto(r) for r in rows), shown, pages, total)

    async def _area(self, session: AsyncSession, volunteer: UserDTO) -> list[int]:
        """The units whose catalogues the volunteer may redeem from: their community
        and every unit above it."""
        require_role(volunteer, Role.VOLUNTEER)
        if volunteer.community_id is None:
            return []
        unit = await org_repo.unit(session, volunteer.community_id)
        return ancestor_ids(unit.path) if unit is not None else []

    async def catalogue(self, volunteer: UserDTO, page: int) -> tuple[Page[RewardDTO], int]:
        """What the volunteer may redeem now (in stock, cheapest first), and their
        balance."""
        now = self.clock.now()
        async with self.db.read() as session:
            area = await self._area(session, volunteer)

            async def fetch(offset: int, limit: int) -> tuple[list[Reward], int]:
                return await rewards_repo.catalogue(session, area, now, offset, limit)

            rows, shown, pages, total = await fetch_page(fetch, page, PAGE_SIZE)
            balance = await rewards_repo.balance_of(session, volunteer_key(volunteer.id))
        return Page(tuple(self.days.dto(r) for r in rows), shown, pages, total), balance

    async def offer(self, volunteer: UserDTO, reward_id: int) -> Offer:
        """The reward as the volunteer is asked to confirm it, with their balance:
        RewardUnavailable / OutOfStock when it cannot be redeemed now."""
        now = self.clock.now()
        async with self.db.read() as session:
            area = await self._area(session, volunteer)
            reward = await rewards_repo.get(session, reward_id)
            if reward is None:
                raise NotFound("reward")
            refuse_unoffered(reward, area, now)
            balance = await rewards_repo.balance_of(session, volunteer_key(volunteer.id))
        return Offer(self.days.dto(reward), balance)


def refuse_unoffered(
    reward: Reward, area: list[int], now: datetime, stock: int | None = None
) -> None:
    """RewardUnavailable for a reward not offered to the volunteer now, OutOfStock for
    one with none left (``stock``: as known, when not the row's)."""
    if (
        reward.unit_id not in area
        or not reward.active
        or (reward.active_from is not None and reward.active_from > now)
        or (reward.active_to is not None and reward.active_to <= now)
    ):
        raise RewardUnavailable(str(reward.id))
    if (reward.stock if stock is None else stock) <= 0:
        raise OutOfStock(str(reward.id))
