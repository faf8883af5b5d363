"""A coordinator decides a redemption — hands it over, or cancels it with a reason (the
``refund`` movement, key ``refund:<redemption id>``, and the one back into the stock) —
the coordinator's list of those still to decide, and the volunteer's list of their
redemptions. Deciding is conditional on the
redemption still pending (a second decision is AlreadyDecided and changes nothing),
re-checked against the coordinator's unit, audited, and the volunteer is told."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import Page, UserDTO, from_row
from bot.services.kernel.errors import AlreadyDecided, NotFound
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.paging import fetch_page
from bot.services.kernel.scope import require_coordinator, require_scope
from bot.services.kernel.validation import free_text
from bot.services.people.recipients import recipient
from bot.services.points.notices import RedemptionCancelled, RedemptionHandedOver
from bot.services.points.rewards import RedemptionDTO, volunteer_key
from storage.enums import AccountKind, MovementKind, RedemptionState
from storage.models import Redemption, Reward
from storage.repositories import audit as audit_repo
from storage.repositories import org as org_repo
from storage.repositories import points as points_repo
from storage.repositories import rewards as rewards_repo

REASON_MAX = 500  # redemptions.reason
PAGE_SIZE = 10


def redemption_dto(redemption: Redemption, reward: Reward) -> RedemptionDTO:
    return from_row(RedemptionDTO, redemption, reward_id=reward.id, reward_name=reward.name)


@dataclass(frozen=True)
class PendingRedemption:
    """A redemption still to hand over, as a coordinator's list shows it."""

    redemption: RedemptionDTO
    volunteer_name: str


@dataclass(eq=False)
class RedemptionDecisions(LoopService):
    # ---- the volunteer's list ------------------------------------------------------

    async def mine(self, volunteer: UserDTO, page: int) -> tuple[Page[RedemptionDTO], int]:
        """The volunteer's redemptions, newest first, and their balance."""
        async with self.db.read() as session:

            async def fetch(offset: int, limit: int) -> tuple[list[RedemptionDTO], int]:
                rows, total = await rewards_repo.of_volunteer(session, volunteer.id, offset, limit)
                return [redemption_dto(r, w) for r, w in rows], total

            rows, shown, pages, total = await fetch_page(fetch, page, PAGE_SIZE)
            balance = await rewards_repo.balance_of(session, volunteer_key(volunteer.id))
        return Page(tuple(rows), shown, pages, total), balance

    # ---- a coordinator decides -------------------------------------------------------

    async def pending(self, actor: UserDTO, page: int = 0) -> Page[PendingRedemption]:
        """The pending redemptions of rewards of the coordinator's unit and below, oldest
        first (what they may decide: the same scope as :meth:`_deciding`)."""
        unit = require_coordinator(actor)
        async with self.db.read() as session:

            async def fetch(offset: int, limit: int) -> tuple[list[PendingRedemption], int]:
                rows, total = await rewards_repo.pending_under(session, unit.path, offset, limit)
                return [PendingRedemption(redemption_dto(r, w), n) for r, w, n in rows], total

            rows, shown, pages, total = await fetch_page(fetch, page, PAGE_SIZE)
        return Page(tuple(rows), shown, pages, total)

    async def _deciding(
        self, session: AsyncSession, actor: UserDTO, redemption_id: int
    ) -> tuple[Redemption, Reward]:
        """The redemption, for a coordinator of its reward's unit (or above); still
        pending (else AlreadyDecided)."""
        require_coordinator(actor)
        redemption = await rewards_repo.redemption(session, redemption_id)
        if redemption is None:
            raise NotFound("redemption")
        reward = await rewards_repo.get(session, redemption.reward_id)
        assert reward is not None
        unit = await org_repo.unit(session, reward.unit_id)
        assert unit is not None
        require_scope(actor, unit.path)
        if redemption.state != RedemptionState.PENDING.value:
            raise AlreadyDecided(redemption.state)
        return redemption, reward

    async def decidable(self, actor: UserDTO, redemption_id: int) -> RedemptionDTO:
        """Checked before the cancellation asks for its reason."""
        async with self.db.read() as session:
            return redemption_dto(*await self._deciding(session, actor, redemption_id))

    async def _decided(
        self,
        session: AsyncSession,
        actor: UserDTO,
        redemption: Redemption,
        reward: Reward,
        state: RedemptionState,
        reason: str | None = None,
    ) -> RedemptionDTO:
        now = self.clock.now()
        if not await rewards_repo.decide(
            session, redemption.id, state, by=actor.id, at=now, reason=reason
        ):
            raise AlreadyDecided(str(redemption.id))  # by someone else, meanwhile
        await audit_repo.record(
            session,
            action=f"redemption.{state.value}",
            actor_id=actor.id,
            unit_id=reward.unit_id,
            target_kind="redemption",
            target_id=redemption.id,
            detail={"reward": reward.id, "cost": redemption.cost, "reason": reason},
        )
        fresh = await rewards_repo.redemption(session, redemption.id)
        assert fresh is not None
        return redemption_dto(fresh, reward)

    async def hand_over(self, actor: UserDTO, redemption_id: int) -> RedemptionDTO:
        async with self.db.transaction() as session:
            redemption, reward = await self._deciding(session, actor, redemption_id)
            done = await self._decided(
                session, actor, redemption, reward, RedemptionState.HANDED_OVER
            )
            to = await recipient(session, redemption.volunteer_id, self.default_language)
            await self.notifier.notify(session, RedemptionHandedOver(to, done))
            return done

    async def cancel(
        self, actor: UserDTO, redemption_id: int, reason: str, *, draft_of: int | None = None
    ) -> RedemptionDTO:
        """Cancelled with a reason: the points back (``refund``), the one back into the
        stock, the volunteer told."""
        text = free_text(reason, "reason", REASON_MAX)
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)
            redemption, reward = await self._deciding(session, actor, redemption_id)
            done = await self._decided(
                session, actor, redemption, reward, RedemptionState.CANCELLED, text
            )
            volunteer = await points_repo.account_id(
                session, AccountKind.VOLUNTEER, redemption.volunteer_id
            )
            rewards = await points_repo.account_id(session, AccountKind.REWARDS, reward.unit_id)
            booked = await points_repo.move(
                session,
                key=f"refund:{redemption.id}",
                kind=MovementKind.REFUND,
                amount=redemption.cost,
                from_account=rewards,
                to_account=volunteer,
                at=self.clock.now(),
                redemption_id=redemption.id,
                actor_id=actor.id,
                reason=text,
            )
            if not isinstance(booked, points_repo.Booked):  # the redeem put it there
                raise RuntimeError(f"refund of redemption {redemption.id}: {booked}")
            await rewards_repo.put_back(session, reward.id)
            to = await recipient(session, redemption.volunteer_id, self.default_language)
            await self.notifier.notify(session, RedemptionCancelled(to, done, booked.to_balance))
            return done
