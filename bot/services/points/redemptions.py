"""Redeeming a reward (公益兑换), and a coordinator handing it over or cancelling it.

A redemption is three things in ONE transaction: one of the reward's stock (a
conditional ``UPDATE … SET stock = stock - 1 WHERE stock > 0 AND active …``), the
redemption row, and the ``redeem`` movement of its cost from the volunteer's account to
the unit's rewards account (``points.move``, key ``redeem:<redemption id>``, which
refuses when the balance is short). Each in a savepoint: a refusal leaves nothing of
it. Redemptions of one reward made at the same time are decided together, in the order
they came, in one transaction (a :class:`~bot.runtime.batching.Batcher` per reward, as
grabs are): a storm of 500 taps on a reward with 50 in stock costs one write
transaction, not 500 queued on SQLite's one writer. Once the stock is out, the rest of
the batch is told so without another statement.

A cancellation books the ``refund`` (key ``refund:<redemption id>``) back and puts the
one back into the stock; handing over and cancelling are conditional on the redemption
still pending, audited, and the volunteer is told."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime.batching import Batcher
from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import Page, Recipient, Role, UserDTO
from bot.services.kernel.errors import AlreadyDecided, DomainError, NotFound
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.paging import fetch_page
from bot.services.kernel.scope import (
    ancestor_ids,
    require_coordinator,
    require_role,
    require_scope,
)
from bot.services.kernel.validation import free_text
from bot.services.people.recipients import nearest_coordinators, recipient
from bot.services.points.notices import (
    RedemptionCancelled,
    RedemptionDTO,
    RedemptionHandedOver,
    RedemptionMade,
)
from bot.services.points.rewards import (
    InsufficientPoints,
    OutOfStock,
    refuse_unoffered,
    volunteer_key,
)
from storage.enums import AccountKind, MovementKind, RedemptionState
from storage.models import Redemption, Reward
from storage.repositories import audit as audit_repo
from storage.repositories import org as org_repo
from storage.repositories import points as points_repo
from storage.repositories import rewards as rewards_repo

log = logging.getLogger(__name__)

REASON_MAX = 500  # redemptions.reason
PAGE_SIZE = 10


class BalanceChanged(DomainError):
    """The confirmation was asked at another balance (a second tap on it after the
    first redeemed, or points moved meanwhile): nothing is redeemed."""

    code = "balance_changed"


@dataclass(frozen=True)
class Redeemed:
    redemption: RedemptionDTO
    balance: int  # the volunteer's, after it (tenths)


@dataclass(frozen=True)
class _Tap:
    volunteer: UserDTO
    expected_balance: int | None


def redemption_dto(redemption: Redemption, reward: Reward) -> RedemptionDTO:
    return RedemptionDTO(
        id=redemption.id,
        reward_id=reward.id,
        reward_name=reward.name,
        volunteer_id=redemption.volunteer_id,
        cost=redemption.cost,
        state=redemption.state,
        created_at=redemption.created_at,
        decided_at=redemption.decided_at,
        reason=redemption.reason,
    )


@dataclass(eq=False)
class RedemptionService(LoopService):
    _batches: Batcher[int, _Tap, Redeemed] = field(init=False)

    def __post_init__(self) -> None:
        self._batches = Batcher(self._batch, max_batch=1000, name="rewards.redeem")

    # ---- redeeming ---------------------------------------------------------------

    async def redeem(
        self, volunteer: UserDTO, reward_id: int, expected_balance: int | None = None
    ) -> Redeemed:
        """One of the reward for the volunteer, paid from their balance: OutOfStock,
        InsufficientPoints, RewardUnavailable, BalanceChanged (``expected_balance``:
        the balance their confirmation showed), NotAllowed otherwise."""
        require_role(volunteer, Role.VOLUNTEER)
        return await self._batches.submit(reward_id, _Tap(volunteer, expected_balance))

    async def _batch(self, reward_id: int, taps: list[_Tap]) -> Sequence[Redeemed | BaseException]:
        try:
            return await self._redeem_many(reward_id, taps)
        except Exception:
            if len(taps) == 1:
                raise
            log.exception(
                "redemption batch of %s on reward %s failed; one by one", len(taps), reward_id
            )
            outcomes: list[Redeemed | BaseException] = []
            for tap in taps:
                try:
                    outcomes.append((await self._redeem_many(reward_id, [tap]))[0])
                except Exception as exc:  # handed to that tap's caller
                    outcomes.append(exc)
            return outcomes

    async def _redeem_many(
        self, reward_id: int, taps: list[_Tap]
    ) -> list[Redeemed | BaseException]:
        now = self.clock.now()
        outcomes: list[Redeemed | BaseException] = []
        async with self.db.transaction() as session:
            reward = await rewards_repo.get(session, reward_id)
            if reward is None:
                raise NotFound("reward")
            unit = await org_repo.unit(session, reward.unit_id)
            assert unit is not None
            areas: dict[int | None, list[int]] = {}
            for tap in taps:
                community = tap.volunteer.community_id
                if community not in areas:
                    home = await org_repo.unit(session, community) if community else None
                    areas[community] = ancestor_ids(home.path) if home is not None else []
            to_account = await points_repo.account_id(session, AccountKind.REWARDS, reward.unit_id)
            coordinators: list[Recipient] | None = None
            stock = reward.stock  # as the batch goes on (the row is not read again)
            for tap in taps:
                try:
                    area = areas[tap.volunteer.community_id]
                    refuse_unoffered(reward, area, now, stock)
                    done = await self._redeem_one(session, reward, to_account, tap)
                except OutOfStock as error:
                    stock = 0  # taken meanwhile by another process: none for the rest
                    outcomes.append(error)
                    continue
                except DomainError as error:
                    outcomes.append(error)
                    continue
                stock -= 1
                if coordinators is None:
                    coordinators = await nearest_coordinators(
                        session, unit.path, self.default_language
                    )
                name = await rewards_repo.volunteer_name(session, tap.volunteer.id)
                for to in coordinators:
                    notice = RedemptionMade(to, done.redemption, name, stock)
                    await self.notifier.notify(session, notice)
                outcomes.append(done)
        return outcomes

    async def _redeem_one(
        self, session: AsyncSession, reward: Reward, to_account: int, tap: _Tap
    ) -> Redeemed:
        """Stock, redemption and movement in a savepoint: all, or (raising) none."""
        volunteer = tap.volunteer
        from_account = await points_repo.account_id(session, AccountKind.VOLUNTEER, volunteer.id)
        if tap.expected_balance is not None:
            if await points_repo.balance(session, from_account) != tap.expected_balance:
                raise BalanceChanged(str(volunteer.id))
        now = self.clock.now()
        savepoint = await session.begin_nested()
        try:
            if await rewards_repo.take_one(session, reward.id, now) is None:
                raise OutOfStock(str(reward.id))
            redemption = await rewards_repo.add_redemption(
                session, reward_id=reward.id, volunteer_id=volunteer.id, cost=reward.cost, now=now
            )
            booked = await points_repo.move(
                session,
                key=f"redeem:{redemption.id}",
                kind=MovementKind.REDEEM,
                amount=reward.cost,
                from_account=from_account,
                to_account=to_account,
                at=now,
                redemption_id=redemption.id,
                actor_id=volunteer.id,
            )
            if not isinstance(booked, points_repo.Booked):
                balance = await points_repo.balance(session, from_account)
                raise InsufficientPoints(balance, reward.cost)
        except BaseException:
            await savepoint.rollback()
            raise
        await savepoint.commit()
        return Redeemed(redemption_dto(redemption, reward), booked.from_balance)

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
