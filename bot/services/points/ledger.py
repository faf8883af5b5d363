"""The ledger as the points bank's use cases hold it: the settings ([points]), a
volunteer's and a unit's accounts and balances, the volunteer a coordinator may act on
(their unit and below), and a movement booked or refused kindly.

Double-entry (storage/models/points.py): every point a volunteer earns comes from the
bank's issuing account, so the accounts always sum to zero and the issuing account's
balance is minus the points in circulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import OrderDTO, UnitDTO, UserDTO
from bot.services.kernel.errors import InsufficientPoints, InvalidValue, NotFound
from bot.services.kernel.scope import require_coordinator, require_scope
from bot.services.kernel.validation import typed_number
from bot.services.org.units import unit_dto
from bot.services.points.amounts import Rounding, earned, window_points
from storage.enums import AccountKind, ApprovalState, MovementKind
from storage.models import User, VolunteerProfile
from storage.repositories import org as org_repo
from storage.repositories import passbook as passbook_repo
from storage.repositories import points as points_repo
from storage.repositories import users as users_repo
from storage.repositories import volunteers as volunteers_repo


@dataclass(frozen=True)
class VolunteerPoints:
    """A volunteer's balance, as a coordinator of their unit sees it."""

    volunteer_id: int
    name: str
    community: UnitDTO
    balance: int  # tenths


async def volunteer_account(session: AsyncSession, user_id: int) -> int:
    return await points_repo.account_id(session, AccountKind.VOLUNTEER, user_id)


async def issuing_account(session: AsyncSession) -> int:
    return await points_repo.account_id(session, AccountKind.ISSUING)


async def fund_account(session: AsyncSession, unit_id: int) -> int:
    return await points_repo.account_id(session, AccountKind.FUND, unit_id)


async def find_user(session: AsyncSession, query: str) -> User | None:
    """The person a typed Telegram id or @username names (InvalidValue for neither)."""
    text = query.strip()
    if text.startswith("@") and len(text) > 1:
        return await users_repo.by_username(session, text[1:])
    if (number := typed_number(text)) is not None:
        return await users_repo.by_telegram_id(session, number)
    raise InvalidValue("volunteer_query", "format")


async def scoped_volunteer(
    session: AsyncSession, actor: UserDTO, volunteer_id: int
) -> tuple[VolunteerProfile, UnitDTO]:
    """A volunteer of the coordinator's unit or below (NotFound / NotInScope)."""
    require_coordinator(actor)
    profile = await volunteers_repo.profile(session, volunteer_id)
    if profile is None or profile.status != ApprovalState.APPROVED.value:
        raise NotFound("volunteer")
    unit = await org_repo.unit(session, profile.community_id)
    assert unit is not None
    require_scope(actor, unit.path)
    return profile, unit_dto(unit)


async def spend(
    session: AsyncSession,
    *,
    key: str,
    kind: MovementKind,
    amount: int,
    from_account: int,
    to_account: int,
    at: datetime,
    **links: object,
) -> points_repo.Booked:
    """A movement from an account that must have the amount: InsufficientPoints (with the
    balance) when it has not, nothing moved."""
    booked = await points_repo.move(
        session,
        key=key,
        kind=kind,
        amount=amount,
        from_account=from_account,
        to_account=to_account,
        at=at,
        **links,
    )
    if booked is points_repo.Refused.INSUFFICIENT:
        raise InsufficientPoints(await points_repo.balance(session, from_account))
    assert isinstance(booked, points_repo.Booked), booked  # keys here are new each time
    return booked


@dataclass(eq=False, kw_only=True)
class PointsBase(LoopService):
    """What the points bank's use cases share: [points] and the accounts."""

    rate_per_hour: float  # [points] rate_per_hour: an order without a rate of its own
    rounding: Rounding = "half"
    bonus_five_stars: int = 0  # tenths; 0: off
    transfers: bool = True

    def place_points(self, order: OrderDTO, minutes: int | None = None) -> int:
        """What ``minutes`` on ``order`` earn, in tenths (its rate, else [points]);
        without ``minutes``, what a place brings for the order's whole window."""
        if minutes is None:
            return window_points(order, self.rate_per_hour, self.rounding)
        rate = order.points_rate if order.points_rate is not None else self.rate_per_hour
        return earned(minutes, rate, self.rounding)

    async def balance(self, user: UserDTO) -> int:
        """The volunteer's own balance, in tenths."""
        async with self.db.read() as session:
            return await balance_of(session, user.id)

    async def find_volunteer(self, actor: UserDTO, query: str) -> VolunteerPoints:
        """The volunteer a coordinator names by Telegram id or @username, in their unit
        or below (NotFound / NotInScope)."""
        require_coordinator(actor)
        async with self.db.read() as session:
            user = await find_user(session, query)
            if user is None:
                raise NotFound("volunteer")
            profile, unit = await scoped_volunteer(session, actor, user.id)
            balance = await balance_of(session, user.id)
        return VolunteerPoints(user.id, profile.real_name, unit, balance)

    async def volunteer_points(self, actor: UserDTO, volunteer_id: int) -> VolunteerPoints:
        """A volunteer's balance, for a coordinator of their unit or above."""
        async with self.db.read() as session:
            profile, unit = await scoped_volunteer(session, actor, volunteer_id)
            balance = await balance_of(session, volunteer_id)
        return VolunteerPoints(volunteer_id, profile.real_name, unit, balance)


async def balance_of(session: AsyncSession, user_id: int) -> int:
    """A volunteer's balance without opening their account (0 before their first point)."""
    accounts = await passbook_repo.volunteer_accounts(session, [user_id])
    if user_id not in accounts:
        return 0
    return await points_repo.balance(session, accounts[user_id])
