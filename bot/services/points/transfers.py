"""A volunteer gives points away (公益银行 transfer, when ``[points] transfers`` is on):
to another approved volunteer (found by Telegram id or @username) or to their own
community's fund. Never more than the balance, also when several spends of one account
run at once (the ledger's conditional update): InsufficientPoints, nothing moved."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import Role, UnitDTO, UserDTO
from bot.services.kernel.errors import InvalidValue, NotFound, TransfersOff
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.scope import require_role
from bot.services.org.units import unit_dto
from bot.services.people.recipients import recipient
from bot.services.points.amounts import TENTHS_PER_POINT
from bot.services.points.ledger import (
    PointsBase,
    find_user,
    fund_account,
    spend,
    volunteer_account,
)
from bot.services.points.notices import PointsReceived
from storage.enums import ApprovalState, MovementKind
from storage.repositories import org as org_repo
from storage.repositories import volunteers as volunteers_repo

TRANSFER_MAX = 10_000 * TENTHS_PER_POINT  # tenths


def check_transfer(amount: int) -> int:
    if not 0 < amount <= TRANSFER_MAX:
        raise InvalidValue("transfer_amount", "range", max=TRANSFER_MAX // TENTHS_PER_POINT)
    return amount


@dataclass(frozen=True)
class Target:
    """Whom points go to: a volunteer (``user_id``, ``name``) or a unit's fund (``unit``)."""

    user_id: int | None
    name: str
    unit: UnitDTO | None = None


@dataclass(frozen=True)
class Transferred:
    target: Target
    amount: int
    balance: int  # the sender's, after


class Transfers(PointsBase):
    def _may_transfer(self, actor: UserDTO) -> None:
        if not self.transfers:
            raise TransfersOff("[points] transfers = false")
        require_role(actor, Role.VOLUNTEER)

    async def transfer_target(self, actor: UserDTO, query: str) -> Target:
        """The approved volunteer a typed Telegram id or @username names (not oneself)."""
        self._may_transfer(actor)
        async with self.db.read() as session:
            user = await find_user(session, query)
            profile = await volunteers_repo.profile(session, user.id) if user else None
            if user is None or profile is None or profile.status != ApprovalState.APPROVED.value:
                raise NotFound("volunteer")
        if user.id == actor.id:
            raise InvalidValue("transfer_to", "self")
        return Target(user.id, profile.real_name)

    async def fund_target(self, actor: UserDTO) -> Target:
        """The community fund of the volunteer's own community."""
        self._may_transfer(actor)
        async with self.db.read() as session:
            unit = await self._community(session, actor)
        return Target(None, "", unit)

    async def _community(self, session: AsyncSession, actor: UserDTO) -> UnitDTO:
        profile = await volunteers_repo.profile(session, actor.id)
        if profile is None:
            raise NotFound("volunteer")
        unit = await org_repo.unit(session, profile.community_id)
        assert unit is not None
        return unit_dto(unit)

    async def transfer(
        self,
        actor: UserDTO,
        amount: int,
        *,
        to_user: int | None = None,
        to_fund: bool = False,
        draft_of: int | None = None,
    ) -> Transferred:
        """Move ``amount`` tenths from the volunteer to ``to_user`` or their community's
        fund; the receiving volunteer is told."""
        self._may_transfer(actor)
        check_transfer(amount)
        if to_user == actor.id:
            raise InvalidValue("transfer_to", "self")
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            if to_fund:
                unit = await self._community(session, actor)
                target = Target(None, "", unit)
                to_account = await fund_account(session, unit.id)
            elif to_user is not None:
                profile = await volunteers_repo.profile(session, to_user)
                if profile is None or profile.status != ApprovalState.APPROVED.value:
                    raise NotFound("volunteer")
                target = Target(to_user, profile.real_name)
                to_account = await volunteer_account(session, to_user)
            else:
                raise InvalidValue("transfer_to", "format")
            booked = await spend(
                session,
                key=f"transfer:{actor.id}:{uuid.uuid4().hex}",
                kind=MovementKind.TRANSFER,
                amount=amount,
                from_account=await volunteer_account(session, actor.id),
                to_account=to_account,
                at=self.clock.now(),
                actor_id=actor.id,
            )
            if target.user_id is not None:
                to = await recipient(session, target.user_id, self.default_language)
                notice = PointsReceived(
                    to, booked.movement_id, actor.display_name, amount, booked.to_balance
                )
                await self.notifier.notify(session, notice)
        return Transferred(target, amount, booked.from_balance)
