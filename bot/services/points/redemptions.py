"""Redeeming a reward (公益兑换) — a coordinator's decisions and the volunteer's list are
in :mod:`bot.services.points.redemption_decisions`.

A redemption is three things in ONE transaction: one of the reward's stock (a
conditional ``UPDATE rewards SET stock = stock - k WHERE id = :id AND stock >= k AND
active AND within its dates``), the redemption row, and the ``redeem`` movement of its
cost from the volunteer's account to the unit's rewards account (``points.move``, key
``redeem:<redemption id>``, which refuses when the balance is short).

Redemptions of one reward made at the same time are decided together, in the order they
came (a :class:`~bot.runtime.batching.Batcher` per reward, as grabs are): one write
transaction reads the reward and every tapper's balance (one statement), decides in
memory who gets one — in stock, offered to their community, the balance their
confirmation showed, enough points — and tells the others at once (before the writes:
in a storm of 500 taps on a stock of 50, 450 are answered within a read); then it takes
the winners' stock in one conditional UPDATE, inserts their redemptions in one
statement and books their movements together (``batch_moves.move_many``), and queues
the coordinators' notices in one insert. Reads and writes are in one transaction, so on
SQLite (one writer) nothing changes between them; on PostgreSQL a concurrent spend from
another process makes a conditional statement refuse — the transaction is rolled back
and the batch's unanswered taps decided again. The CHECK constraints (stock ≥ 0, no
balance but the bank's below 0) hold even if this code were wrong."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.runtime.batching import Batcher
from bot.services.kernel.dto import Role, UserDTO
from bot.services.kernel.errors import DomainError, InsufficientPoints, NotFound
from bot.services.kernel.scope import ancestor_ids, require_role
from bot.services.people.recipients import nearest_coordinators
from bot.services.points.notices import RedemptionMade
from bot.services.points.redemption_decisions import RedemptionDecisions
from bot.services.points.rewards import (
    RedemptionDTO,
    refuse_unoffered,
    volunteer_key,
)
from storage.enums import AccountKind, MovementKind, RedemptionState
from storage.repositories import batch_moves as batch_moves_repo
from storage.repositories import org as org_repo
from storage.repositories import points as points_repo
from storage.repositories import rewards as rewards_repo

log = logging.getLogger(__name__)

ATTEMPTS = 3  # a batch raced by another process is decided again, this often


class BalanceChanged(DomainError):
    """The confirmation was asked at another balance (a second tap on it after the
    first redeemed, or points moved meanwhile): nothing is redeemed."""

    code = "balance_changed"


@dataclass(frozen=True)
class Redeemed:
    redemption: RedemptionDTO
    balance: int  # the volunteer's, after it (tenths)


@dataclass(frozen=True, eq=False)
class _Tap:
    volunteer: UserDTO
    expected_balance: int | None
    answer: asyncio.Future[Redeemed]  # told as soon as it is decided


class _Raced(Exception):
    """A conditional statement refused what the batch's read allowed (another process
    spent meanwhile): the batch is rolled back and decided again."""


def _tell(tap: _Tap, outcome: Redeemed | BaseException) -> None:
    if tap.answer.done():
        return
    if isinstance(outcome, BaseException):
        tap.answer.set_exception(outcome)
    else:
        tap.answer.set_result(outcome)


def _outcome(tap: _Tap) -> Redeemed | BaseException:
    if tap.answer.cancelled():  # its caller gave up
        return asyncio.CancelledError()
    return tap.answer.exception() or tap.answer.result()


@dataclass(eq=False)
class RedemptionService(RedemptionDecisions):
    _batches: Batcher[int, _Tap, Redeemed] = field(init=False)

    def __post_init__(self) -> None:
        self._batches = Batcher(self._batch, max_batch=1000, name="rewards.redeem")

    async def redeem(
        self, volunteer: UserDTO, reward_id: int, expected_balance: int | None = None
    ) -> Redeemed:
        """One of the reward for the volunteer, paid from their balance: OutOfStock,
        InsufficientPoints, RewardUnavailable, BalanceChanged (``expected_balance``:
        the balance their confirmation showed), NotAllowed otherwise."""
        require_role(volunteer, Role.VOLUNTEER)
        tap = _Tap(volunteer, expected_balance, asyncio.get_running_loop().create_future())
        batch = asyncio.ensure_future(self._batches.submit(reward_id, tap))

        def settled(done: asyncio.Future[Redeemed]) -> None:
            if done.cancelled():
                if not tap.answer.done():
                    tap.answer.cancel()
                return
            error = done.exception()
            _tell(tap, error if error is not None else done.result())

        batch.add_done_callback(settled)
        return await tap.answer

    async def _batch(self, reward_id: int, taps: list[_Tap]) -> Sequence[Redeemed | BaseException]:
        for attempt in range(ATTEMPTS):
            open_taps = [tap for tap in taps if not tap.answer.done()]
            try:
                decided = await self._redeem_many(reward_id, open_taps)
            except _Raced:
                log.info("redemption batch on reward %s raced (attempt %s)", reward_id, attempt)
                continue
            for tap, outcome in zip(open_taps, decided, strict=True):
                _tell(tap, outcome)
            break
        else:
            raise RuntimeError(f"redemptions of reward {reward_id} raced {ATTEMPTS} times")
        return [_outcome(tap) for tap in taps]

    async def _redeem_many(
        self, reward_id: int, taps: list[_Tap]
    ) -> list[Redeemed | BaseException]:
        now = self.clock.now()
        outcomes: list[Redeemed | BaseException | None] = [None] * len(taps)
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
            keys = {volunteer_key(tap.volunteer.id) for tap in taps}
            accounts = await rewards_repo.accounts(session, keys)
            # who gets one, in the order they came; the others are told now
            stock, winners = reward.stock, []
            for i, tap in enumerate(taps):
                key = volunteer_key(tap.volunteer.id)
                account, balance = accounts.get(key, (0, 0))
                try:
                    refuse_unoffered(reward, areas[tap.volunteer.community_id], now, stock)
                    if tap.expected_balance is not None and balance != tap.expected_balance:
                        raise BalanceChanged(key)
                    if balance < reward.cost:
                        raise InsufficientPoints(balance, reward.cost)
                except DomainError as error:
                    outcomes[i] = error
                    _tell(tap, copy.copy(error))
                    continue
                accounts[key] = (account, balance - reward.cost)
                stock -= 1
                winners.append((i, tap, account))
            if not winners:
                return [o for o in outcomes if o is not None]
            # their stock, their redemptions, their movements
            if await rewards_repo.take(session, reward.id, len(winners), now) is None:
                raise _Raced()
            ids = await rewards_repo.add_redemptions(
                session, reward.id, [tap.volunteer.id for _, tap, _ in winners], reward.cost, now
            )
            to_account = await points_repo.account_id(session, AccountKind.REWARDS, reward.unit_id)
            names = await rewards_repo.volunteer_names(
                session, [t.volunteer.id for _, t, _ in winners]
            )
            coordinators = await nearest_coordinators(session, unit.path, self.default_language)
            moved = await batch_moves_repo.move_many(
                session,
                kind=MovementKind.REDEEM,
                hub=to_account,
                legs=[
                    batch_moves_repo.Leg(
                        f"redeem:{redemption_id}",
                        account,
                        reward.cost,
                        {"redemption_id": redemption_id, "actor_id": tap.volunteer.id},
                    )
                    for (_, tap, account), redemption_id in zip(winners, ids, strict=True)
                ],
                hub_pays=False,
                at=now,
            )
            if moved is None:
                raise _Raced()
            left, notices = reward.stock, []
            for (i, tap, _), redemption_id in zip(winners, ids, strict=True):
                booked = moved[f"redeem:{redemption_id}"]
                left -= 1
                redemption = RedemptionDTO(
                    id=redemption_id,
                    reward_id=reward.id,
                    reward_name=reward.name,
                    volunteer_id=tap.volunteer.id,
                    cost=reward.cost,
                    state=RedemptionState.PENDING.value,
                    created_at=now,
                )
                name = names.get(tap.volunteer.id, tap.volunteer.display_name)
                notices += [RedemptionMade(to, redemption, name, left) for to in coordinators]
                outcomes[i] = Redeemed(redemption, booked.from_balance)
            await self.notifier.notify_many(session, notices)
        return [o for o in outcomes if o is not None]
