"""A hypothesis state machine over the 公益银行: orders completed (and their earning run
again, as a retried job would), coordinators' adjustments either way, and storms of
concurrent spenders of one account — transfers and redemptions (direct ``move`` calls,
the rewards service's primitive) with their refunds — on SQLite and PostgreSQL. After
every step: each balance is the sum of its movements, none but the issuing account's is
below zero, the accounts sum to zero, each place earned at most once, and each
volunteer's balance is what the model says."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from bot.container import Services
from bot.services.kernel.dto import OrderDTO, UserDTO
from bot.services.kernel.errors import AlreadyDecided, InsufficientPoints
from storage.database import Database
from storage.enums import AccountKind, MovementKind
from storage.repositories import points as points_repo
from tests.support.database import truncate_all
from tests.support.orders import boss
from tests.support.points import balance, check_ledger, served
from tests.support.services import START, FakeClock, Org, build_services, load_org

T = TypeVar("T")
VOLUNTEERS = 4  # two orders of two places
amounts = st.integers(1, 40)


def test_the_ledger_keeps_its_invariants(db_url: str) -> None:
    with asyncio.Runner() as runner:
        db = Database.from_url(db_url)
        if db.dialect == "postgresql":
            runner.run(truncate_all(db))
        org = runner.run(load_org(build_services(db, FakeClock(START))))
        try:
            run_state_machine_as_test(
                lambda: LedgerMachine(runner, db, org),
                settings=settings(
                    max_examples=15,
                    stateful_step_count=12,
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow],
                ),
            )
        finally:
            runner.run(db.dispose())


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self, runner: asyncio.Runner, db: Database, org: Org) -> None:
        super().__init__()
        self.runner, self.db = runner, db
        self.orders: list[tuple[Services, UserDTO, OrderDTO]] = []
        self.people: list[UserDTO] = []
        for _ in range(2):  # a fresh clock for each order: both start two days ahead
            services = build_services(db, FakeClock(START))
            coordinator, order, people, _ = self.run(served(db, services, org, services.clock))  # type: ignore[arg-type]
            self.orders.append((services, coordinator, order))
            self.people += people
        self.services = self.orders[0][0]
        self.coordinator = self.run(boss(self.services))
        self.completed: set[int] = set()
        self.model = {v.id: 0 for v in self.people}
        self.redemptions: list[tuple[str, int, int]] = []  # key, volunteer, amount
        self.refunded: set[str] = set()
        self.rewards = self.run(self._rewards_account())

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    async def _rewards_account(self) -> int:
        async with self.db.transaction() as session:
            unit = self.people[0].community_id
            return await points_repo.account_id(session, AccountKind.REWARDS, unit)

    # ---- earning --------------------------------------------------------------------

    @rule(i=st.integers(0, 1))
    def complete(self, i: int) -> None:
        services, coordinator, order = self.orders[i]
        try:
            self.run(services.attendance.confirm_completion(coordinator, order.id))
        except AlreadyDecided:
            assert i in self.completed
        else:
            assert i not in self.completed
            self.completed.add(i)
            for v in self.people[2 * i : 2 * i + 2]:
                self.model[v.id] += 60  # 120 minutes at 3 points an hour

    @rule(i=st.integers(0, 1))
    def earning_runs_again(self, i: int) -> None:
        """A retried job or a second confirmation: nothing more is booked."""

        async def again() -> None:
            async with self.db.transaction() as session:
                await self.services.points.on_completed(session, self.orders[i][2])

        if i in self.completed:
            self.run(again())

    # ---- adjustments ------------------------------------------------------------------

    @rule(who=st.integers(0, VOLUNTEERS - 1), amount=st.integers(-40, 40).filter(bool))
    def adjust(self, who: int, amount: int) -> None:
        v = self.people[who]
        try:
            self.run(self.services.points.adjust(self.coordinator, v.id, amount, "核对"))
        except InsufficientPoints:
            assert self.model[v.id] < -amount
        else:
            self.model[v.id] += amount

    # ---- concurrent spenders of one account ---------------------------------------------

    @rule(
        who=st.integers(0, VOLUNTEERS - 1),
        spends=st.lists(st.tuples(st.sampled_from(("transfer", "redeem")), amounts), max_size=6),
    )
    def spend_storm(self, who: int, spends: list[tuple[str, int]]) -> None:
        giver = self.people[who]
        taker = self.people[(who + 1) % VOLUNTEERS]

        async def one(kind: str, amount: int) -> bool:
            if kind == "transfer":
                try:
                    await self.services.points.transfer(giver, amount, to_user=taker.id)
                except InsufficientPoints:
                    return False
                return True
            key = f"redeem:{uuid.uuid4().hex}"
            async with self.db.transaction() as session:
                booked = await points_repo.move(
                    session,
                    key=key,
                    kind=MovementKind.REDEEM,
                    amount=amount,
                    from_account=await points_repo.account_id(
                        session, AccountKind.VOLUNTEER, giver.id
                    ),
                    to_account=self.rewards,
                    at=START,
                )
            if booked is points_repo.Refused.INSUFFICIENT:
                return False
            self.redemptions.append((key, giver.id, amount))
            return True

        async def storm() -> list[bool]:
            return list(await asyncio.gather(*(one(k, a) for k, a in spends)))

        for (kind, amount), ok in zip(spends, self.run(storm()), strict=True):
            if ok:
                self.model[giver.id] -= amount
                if kind == "transfer":
                    self.model[taker.id] += amount
        assert self.model[giver.id] >= 0

    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        if not self.redemptions:
            return
        key, volunteer_id, amount = data.draw(st.sampled_from(self.redemptions))

        async def back() -> points_repo.Booked | points_repo.Refused:
            async with self.db.transaction() as session:
                return await points_repo.move(
                    session,
                    key=f"refund:{key}",
                    kind=MovementKind.REFUND,
                    amount=amount,
                    from_account=self.rewards,
                    to_account=await points_repo.account_id(
                        session, AccountKind.VOLUNTEER, volunteer_id
                    ),
                    at=START,
                )

        booked = self.run(back())
        if key in self.refunded:
            assert booked is points_repo.Refused.ALREADY_BOOKED
        else:
            assert isinstance(booked, points_repo.Booked)
            self.refunded.add(key)
            self.model[volunteer_id] += amount

    # ---- what always holds ------------------------------------------------------------

    @invariant()
    def ledger_holds(self) -> None:
        self.run(check_ledger(self.db))
        for v in self.people:
            assert self.run(balance(self.db, v.id)) == self.model[v.id]
