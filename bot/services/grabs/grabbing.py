"""Grabbing places (接单), exactly first come, first served, and joining the waitlist.

Grabs of one order made at the same time are decided together, in the order they came
(a :class:`~bot.runtime.batching.Batcher` per order: a lone grab is a batch of one and
runs at once; the taps arriving while a batch runs form the next one). A batch first
reads, without a write or a write lock, what refuses whom it can — first who the user
is to the order (not an approved volunteer, a row on it already, a volunteer of
another community or street than the order is for), so that nothing about the order
is told to those who may not take it; then the order full, closed or not open yet —
so the taps of a storm that arrive after the last place went cost a share of one
read. For the others, the rules about the volunteer are read for as many as could win
(twice the free places; in the same read), and one write transaction, under the
order's lock, inserts their claim rows (``INSERT … ON CONFLICT DO NOTHING``, one
statement; a cancelled row is revived) and takes the places with one conditional
UPDATE (``… WHERE taken + n <= places … RETURNING`` the order); the rest get
SlotsFull. A thousand taps on an order with 20 places cost one read and one write
transaction instead of a thousand transactions. The constraints (UNIQUE(order_id,
volunteer_id), CHECK(taken <= places)) hold even if this code were wrong.

An order is for the volunteers of its community (and its grids), or of its street when
published (or widened) to the whole street: only they are told of it, and only they
may take it. The rules about the volunteer (approved, in the order's team, no
overlapping place, at most ``max_upcoming_claims`` upcoming places) concern only their
own claims, so they are checked in the read; two grabs by the same volunteer at once
are kept apart by the per-user ordering of updates (and within one batch, a
volunteer's further taps share the fate of their first)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime.batching import Batcher
from bot.services.grabs.notices import OrderFilled
from bot.services.grabs.rules import (
    CLAIMED,
    GRABBABLE,
    WAITLISTED,
    ClaimRules,
    check_grabbable,
    claim_dto,
    refuse_standing,
)
from bot.services.kernel.dto import ClaimDTO, UserDTO
from bot.services.kernel.errors import (
    AlreadyClaimed,
    DomainError,
    NotFound,
    NotOpenYet,
    OrderClosed,
    SlotsFull,
)
from bot.services.kernel.orders import order_area, order_dto
from bot.services.people.recipients import recipient
from storage.enums import OrderState
from storage.models import Order, OrgUnit
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo
from storage.repositories.claims import GrabCheck

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Round:
    """One round of a grab batch: the order as read, the volunteers whose rules were
    read with it (``checks``) and those still waiting after them (``rest``)."""

    order: Order
    chunk: list[int]
    rest: list[int]
    checks: dict[int, GrabCheck]


class _Raced(Exception):
    """The places changed under the batch's lock (cannot happen while every writer
    locks the order): the batch is rolled back and run again."""


@dataclass(eq=False, kw_only=True)
class Grabbing(ClaimRules):
    """Grabbing a place (:meth:`grab`, in batches per order) and joining the waitlist."""

    _grabs: Batcher[int, UserDTO, ClaimDTO] = field(init=False)

    def __post_init__(self) -> None:
        self._grabs = Batcher(self._grab_batch, max_batch=1000, name="claims.grab")

    def _refuse(
        self, check: GrabCheck | None, order: Order, area: OrgUnit, now: datetime, waitlist: bool
    ) -> None:
        """Every refusal that needs no write, in this order: who the user is to the
        order (:func:`refuse_standing`), the order not taking anyone (full too, unless
        for the waitlist), the rules about the volunteer."""
        refuse_standing(check, area)
        if waitlist:
            if order.state not in GRABBABLE or order.starts_at <= now:
                raise OrderClosed(order.state)
            if order.opens_at is not None and order.opens_at > now:
                raise NotOpenYet(order.opens_at)
        else:
            check_grabbable(order, now)
        self._refuse_volunteer(check, order)

    async def _precheck(self, volunteer: UserDTO, order_id: int, *, waitlist: bool) -> None:
        """The cheap read: every refusal that needs no write (two queries)."""
        now = self.clock.now()
        async with self.db.read() as session:
            order = await orders_repo.get(session, order_id)
            if order is None:
                raise NotFound("order")
            _, area = await order_area(session, order.community_id, order.scope)
            checks = await claims_repo.grab_checks(session, order, [volunteer.id], now)
        self._refuse(checks.get(volunteer.id), order, area, now, waitlist)

    async def _own_row(
        self, session: AsyncSession, order_id: int, volunteer_id: int, state: str, now: datetime
    ) -> int:
        """Insert the volunteer's claim row, or revive their cancelled one."""
        claim_id = await claims_repo.insert_new(
            session, order_id=order_id, volunteer_id=volunteer_id, state=state, now=now
        )
        if claim_id is None:
            claim_id = await claims_repo.revive(
                session, order_id=order_id, volunteer_id=volunteer_id, state=state, now=now
            )
        if claim_id is None:
            raise AlreadyClaimed()
        return claim_id

    async def _take(
        self, session: AsyncSession, order_id: int, volunteer_id: int, now: datetime
    ) -> ClaimDTO:
        """The claim row, then the place; raises (rolling both back) when none is free."""
        claim_id = await self._own_row(session, order_id, volunteer_id, CLAIMED, now)
        taken = await orders_repo.take_place(session, order_id, now)
        order = await orders_repo.get(session, order_id)
        assert order is not None
        if taken is None:
            check_grabbable(order, now)  # raises why: closed, not open yet …
            raise SlotsFull()
        if order.state == OrderState.FILLED.value:
            to = await recipient(session, order.requester_id, self.default_language)
            await self.notifier.notify(session, OrderFilled(to, order_dto(order), now))
        claim = await claims_repo.get(session, claim_id)
        assert claim is not None
        return claim_dto(claim, order)

    async def warm_up(self) -> None:
        """Run a grab batch's statements once, on no order and no volunteer (no row is
        read or written), so that SQLAlchemy builds and compiles them at start-up and
        not during the first storm after it, whose claim batch would otherwise wait for
        them (see bench/README.md, section "Grab statements warmed up")."""
        now = self.clock.now()
        nobody = [0]  # ids start at 1
        async with self.db.transaction() as session:
            await orders_repo.get(session, 0)
            await orders_repo.get(session, 0, for_update=True)
            await claims_repo.standings(session, 0, nobody)
            for team_id in (None, 0):  # the rules' two statements: one team, or all
                probe = Order(id=0, team_id=team_id, starts_at=now, ends_at=now)
                await claims_repo.grab_checks(session, probe, nobody, now)
            await claims_repo.take_places(session, 0, 1, now)  # matches no order
            await claims_repo.many(session, nobody)

    async def grab(self, volunteer: UserDTO, order_id: int) -> ClaimDTO:
        """One place for the volunteer, or SlotsFull / AlreadyClaimed / NotOpenYet /
        OrderClosed / OverlappingClaim / TooManyClaims / TeamRequired / NotAllowed.

        Concurrent grabs of one order are decided together, in the order they came
        (see :meth:`_grab_batch`); a lone grab is a batch of one."""
        return await self._grabs.submit(order_id, volunteer)

    async def _grab_batch(
        self, order_id: int, taps: list[UserDTO]
    ) -> Sequence[ClaimDTO | BaseException]:
        try:
            return await self._grab_many(order_id, taps)
        except Exception:
            if len(taps) == 1:
                raise
            # something unexpected (a volunteer deleted meanwhile …): do not let one tap
            # fail the others — decide each on its own
            log.exception("grab batch of %s on order %s failed; one by one", len(taps), order_id)
            outcomes: list[ClaimDTO | BaseException] = []
            for tap in taps:
                try:
                    outcomes.append((await self._grab_many(order_id, [tap]))[0])
                except Exception as exc:  # handed to that tap's caller
                    outcomes.append(exc)
            return outcomes

    async def _grab_many(
        self, order_id: int, taps: list[UserDTO]
    ) -> list[ClaimDTO | BaseException]:
        """The taps on one order, decided in the order they came.

        A read (no write, no lock) refuses whom it can: first who the user is to the
        order (not an approved volunteer, a row on it already, a volunteer of
        elsewhere: :func:`refuse_standing` — before anything is said about the order),
        then the order full, closed or not open yet. The others are taken in rounds: the rules
        about the volunteer are read for the next few (twice as many as places are
        free), and one write transaction gives the free places to the first of those
        who pass (:meth:`_claim_many`). Once the order is full, everyone left is
        SlotsFull without their rules being read — as for a single tap, where a full
        order is answered before the rules. A storm on an order with 20 places costs
        one read (the taps' rows on the order, then the rules of the first few) and one
        write transaction, whatever the number of taps."""
        now = self.clock.now()
        outcomes: list[ClaimDTO | BaseException | None] = [None] * len(taps)
        first_tap: dict[int, int] = {}  # volunteer → index of their first tap that may win
        async with self.db.read() as session:
            order = await orders_repo.get(session, order_id)
            if order is None:
                return [NotFound("order") for _ in taps]
            _, area = await order_area(session, order.community_id, order.scope)
            standings = await claims_repo.standings(session, order_id, [v.id for v in taps])
            try:  # once for the batch: the same order for every tap
                check_grabbable(order, now)
                closed: DomainError | None = None
            except DomainError as error:
                closed = error
            for i, volunteer in enumerate(taps):
                try:
                    refuse_standing(standings.get(volunteer.id), area)
                except DomainError as error:
                    outcomes[i] = error
                    continue
                if closed is not None:
                    outcomes[i] = copy.copy(closed)
                else:
                    first_tap.setdefault(volunteer.id, i)
            first_round = await self._rules_round(session, order, list(first_tap), now)
        decided = await self._take_in_rounds(order_id, first_round, now)
        for volunteer_id, i in first_tap.items():
            outcomes[i] = decided[volunteer_id]
        for i, volunteer in enumerate(taps):  # a volunteer's further taps in this batch
            if outcomes[i] is None:
                first = outcomes[first_tap[volunteer.id]]
                outcomes[i] = (
                    AlreadyClaimed(CLAIMED) if isinstance(first, ClaimDTO) else copy.copy(first)
                )
        return [o for o in outcomes if o is not None]

    @staticmethod
    async def _rules_round(
        session: AsyncSession, order: Order, pending: list[int], now: datetime
    ) -> _Round:
        """The rules of the next few volunteers waiting (twice as many as places are free)."""
        size = max(2 * (order.places - order.taken), 16)
        chunk = pending[:size]
        checks = await claims_repo.grab_checks(session, order, chunk, now) if chunk else {}
        return _Round(order, chunk, pending[size:], checks)

    async def _take_in_rounds(
        self, order_id: int, round_: _Round, now: datetime
    ) -> dict[int, ClaimDTO | BaseException]:
        """Each round: those of its volunteers the rules allow compete for the free places
        (:meth:`_claim_many`); until the order is full or nobody is left, the next round's
        rules are read with the order again."""
        decided: dict[int, ClaimDTO | BaseException] = {}
        while True:
            eligible: list[int] = []
            for volunteer_id in round_.chunk:
                try:
                    self._refuse_volunteer(round_.checks.get(volunteer_id), round_.order)
                except DomainError as error:
                    decided[volunteer_id] = error
                    continue
                eligible.append(volunteer_id)
            pending = round_.rest
            if eligible:
                for attempt in range(3):
                    try:
                        won, full = await self._claim_many(order_id, eligible, now)
                        break
                    except _Raced:
                        log.warning(
                            "order %s changed under the lock (attempt %s)", order_id, attempt
                        )
                else:
                    won, full = [SlotsFull() for _ in eligible], True
                decided.update(zip(eligible, won, strict=True))
                if full:
                    decided.update((v, SlotsFull()) for v in pending)
                    return decided
            if not pending:
                return decided
            async with self.db.read() as session:
                order = await orders_repo.get(session, order_id)
                if order is None:
                    decided.update((v, NotFound("order")) for v in pending)
                    return decided
                try:
                    check_grabbable(order, now)
                except DomainError as error:
                    decided.update((v, copy.copy(error)) for v in pending)
                    return decided
                round_ = await self._rules_round(session, order, pending, now)

    async def _claim_many(
        self, order_id: int, volunteer_ids: list[int], now: datetime
    ) -> tuple[list[ClaimDTO | BaseException], bool]:
        """One write transaction: under the order's lock, the first volunteers (as many
        as places are free) get a claim row each — inserted together; a volunteer whose
        row turns out live is AlreadyClaimed and the place goes to the next — then the
        places are taken with one conditional UPDATE (``taken + n <= places``); the rest
        are SlotsFull. Also whether the order is full (or closed) now."""
        async with self.db.transaction() as session:
            order = await orders_repo.get(session, order_id, for_update=True)
            if order is None:
                return [NotFound("order") for _ in volunteer_ids], True
            try:
                check_grabbable(order, now)
            except DomainError as error:
                return [copy.copy(error) for _ in volunteer_ids], True
            free = order.places - order.taken
            outcomes: list[ClaimDTO | BaseException] = [SlotsFull() for _ in volunteer_ids]
            index = {volunteer_id: k for k, volunteer_id in enumerate(volunteer_ids)}
            winners: dict[int, int] = {}  # volunteer → claim id
            position = 0
            while len(winners) < free and position < len(volunteer_ids):
                batch = volunteer_ids[position : position + free - len(winners)]
                position += len(batch)
                inserted = await claims_repo.insert_new_many(
                    session, order_id=order_id, volunteer_ids=batch, state=CLAIMED, now=now
                )
                for volunteer_id in batch:
                    claim_id = inserted.get(volunteer_id)
                    if claim_id is None:  # a row already: cancelled (revived) or live
                        claim_id = await claims_repo.revive(
                            session,
                            order_id=order_id,
                            volunteer_id=volunteer_id,
                            state=CLAIMED,
                            now=now,
                        )
                    if claim_id is None:
                        outcomes[index[volunteer_id]] = AlreadyClaimed()
                    else:
                        winners[volunteer_id] = claim_id
            if not winners:
                return outcomes, free == 0
            updated = await claims_repo.take_places(session, order_id, len(winners), now)
            if updated is None:
                raise _Raced(order_id)
            order = updated
            if order.state == OrderState.FILLED.value:
                to = await recipient(session, order.requester_id, self.default_language)
                await self.notifier.notify(session, OrderFilled(to, order_dto(order), now))
            claims = await claims_repo.many(session, list(winners.values()))
            for volunteer_id, claim_id in winners.items():
                outcomes[index[volunteer_id]] = claim_dto(claims[claim_id], order)
            return outcomes, order.taken >= order.places

    async def join_waitlist(self, volunteer: UserDTO, order_id: int) -> ClaimDTO:
        """A place in the waitlist of a full order, in order of joining; if a place is
        free after all (nobody is waiting then), the volunteer simply gets it."""
        await self._precheck(volunteer, order_id, waitlist=True)
        now = self.clock.now()
        async with self.db.transaction() as session:
            order = await orders_repo.get(session, order_id, for_update=True)
            assert order is not None
            if order.state == OrderState.OPEN.value and order.taken < order.places:
                return await self._take(session, order_id, volunteer.id, now)
            if order.state not in GRABBABLE:
                raise OrderClosed(order.state)
            claim_id = await self._own_row(session, order_id, volunteer.id, WAITLISTED, now)
            claim = await claims_repo.get(session, claim_id)
            assert claim is not None
            return claim_dto(claim, order)
