"""Grabbing places (接单), exactly first come, first served; the waitlist; cancelling.

Grabs of one order made at the same time are decided together, in the order they came
(a :class:`~bot.services.batching.Batcher` per order: a lone grab is a batch of one and
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
volunteer's further taps share the fate of their first).

Cancelling is allowed until the service starts (then CancelTooLate); within
``cancel_cutoff`` of the start it is allowed but flagged ``late_cancel``, which counts
on the volunteer's record — letting the place go to the waitlist beats a no-show. A
freed place goes to the first waitlisted volunteer as an offer (``offered``: the place
stays reserved and counted in ``taken``) until they accept or the offer expires
(``expire_offers``), when it passes to the next; with nobody waiting it is released.
Every write transaction on an order's places (a grab batch too) locks the order row
first (``FOR UPDATE`` on PostgreSQL; BEGIN IMMEDIATE on SQLite), so two of them never
give or offer one place twice.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import notices
from bot.services.base import LoopService
from bot.services.batching import Batcher
from bot.services.dto import ClaimDTO, OrderDTO, Recipient, UserDTO
from bot.services.errors import (
    AlreadyClaimed,
    AlreadyDecided,
    CancelTooLate,
    DomainError,
    NotAllowed,
    NotFound,
    NotOpenYet,
    OfferExpired,
    OfferSettled,
    OrderClosed,
    OutsideArea,
    OverlappingClaim,
    PlaceChanged,
    SlotsFull,
    TeamRequired,
    TooManyClaims,
)
from bot.services.offers import settle_offer_message
from bot.services.order_common import order_area, order_dto
from bot.services.recipients import recipient
from storage.enums import ApprovalState, ClaimState, OrderState
from storage.models import Claim, Order, OrgUnit
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo
from storage.repositories.claims import GrabCheck, Standing

log = logging.getLogger(__name__)

OFFER_EXPIRY_JOB = "claim.offer_expiry"

ClaimHook = Callable[[AsyncSession, int], Awaitable[object]]

CLAIMED = ClaimState.CLAIMED.value
WAITLISTED = ClaimState.WAITLISTED.value
OFFERED = ClaimState.OFFERED.value
CANCELLED = ClaimState.CANCELLED.value
GRABBABLE = (OrderState.OPEN.value, OrderState.FILLED.value)


def offer_job_key(claim_id: int) -> str:
    return f"offer:{claim_id}"


def claim_dto(claim: Claim, order: Order) -> ClaimDTO:
    return ClaimDTO(
        id=claim.id,
        order=order_dto(order),
        volunteer_id=claim.volunteer_id,
        state=claim.state,
        joined_at=claim.joined_at,
        offered_at=claim.offered_at,
        offer_expires_at=claim.offer_expires_at,
        guidance_confirmed_at=claim.guidance_confirmed_at,
        cancelled_at=claim.cancelled_at,
        late_cancel=claim.late_cancel,
        version=claim.version,
    )


def check_grabbable(order: Order, now: datetime) -> None:
    """Raise why the order takes no one now (full, not open yet, closed)."""
    if order.state not in GRABBABLE or order.starts_at <= now:
        raise OrderClosed(order.state)
    if order.opens_at is not None and order.opens_at > now:
        raise NotOpenYet(order.opens_at)
    if order.state == OrderState.FILLED.value or order.taken >= order.places:
        raise SlotsFull()


async def owned_claim(
    session: AsyncSession, volunteer: UserDTO, claim_id: int, *, lock: bool = True
) -> tuple[Claim, Order]:
    """The volunteer's own claim (a forged id, or another's, is NotFound) and its
    order, locked (unless ``lock`` is False: a read); the claim as it is under the lock."""
    claim = await claims_repo.get(session, claim_id)
    if claim is None or claim.volunteer_id != volunteer.id:
        raise NotFound("claim")
    order = await orders_repo.get(session, claim.order_id, for_update=lock)
    assert order is not None
    if lock:
        claim = await claims_repo.get(session, claim_id)
        assert claim is not None
    return claim, order


async def release_waitlist(
    service: LoopService, session: AsyncSession, order: OrderDTO, now: datetime, *, started: bool
) -> None:
    """The order takes no one any more (it expired, or its service started): every
    waitlisted volunteer's place in line is cancelled, and each is thanked."""
    for claim in await claims_repo.of_order(session, order.id):
        if claim.state != WAITLISTED or not await claims_repo.set_state(
            session, claim.id, WAITLISTED, state=CANCELLED, cancelled_at=now
        ):
            continue
        to = await recipient(session, claim.volunteer_id, service.default_language)
        key, message = notices.waitlist_released(to, order, service.timezone, started=started)
        await service.scheduler.enqueue(session, key, message)


def refuse_standing(standing: Standing | None, area: OrgUnit) -> None:
    """Raise why the user may not take a place on an order for the volunteers of
    ``area``, before anything is said about the order (full, open …): not an approved
    volunteer (NotAllowed), a row on the order already (AlreadyClaimed), a volunteer
    of elsewhere (OutsideArea)."""
    if standing is None or standing.profile_status != ApprovalState.APPROVED.value:
        raise NotAllowed("approved volunteers only")
    if standing.claim_state not in (None, CANCELLED):
        raise AlreadyClaimed(standing.claim_state)
    if not (standing.community_path or "").startswith(area.path):
        raise OutsideArea(area.name_zh, area.name_en)


@dataclass(frozen=True)
class _Round:
    """One round of a grab batch: the order as read, the volunteers whose rules were
    read with it (``checks``) and those still waiting after them (``rest``)."""

    order: Order
    chunk: list[int]
    rest: list[int]
    checks: dict[int, GrabCheck]


@dataclass(frozen=True)
class GivingUp:
    """A place its holder asks to give up (:meth:`ClaimService.giving_up`): whether
    giving it up now counts as a late cancellation, and from when it would."""

    claim: ClaimDTO
    late: bool
    late_from: datetime


class _Raced(Exception):
    """The places changed under the batch's lock (cannot happen while every writer
    locks the order): the batch is rolled back and run again."""


@dataclass(eq=False, kw_only=True)
class ClaimService(LoopService):
    max_upcoming: int
    cancel_cutoff: timedelta
    offer_time: timedelta
    # run in the transaction in which a volunteer gives up a place they held
    on_given_up: list[ClaimHook] = field(default_factory=list, init=False)
    _grabs: Batcher[int, UserDTO, ClaimDTO] = field(init=False)

    def __post_init__(self) -> None:
        self._grabs = Batcher(self._grab_batch, max_batch=1000, name="claims.grab")

    # ---- the rules ----------------------------------------------------------------

    def _refuse_volunteer(self, check: GrabCheck | None, order: Order) -> None:
        """Raise why the volunteer may not hold a place on the order, if they may not."""
        if check is None or check.profile_status != ApprovalState.APPROVED.value:
            raise NotAllowed("approved volunteers only")
        if not check.in_team:
            raise TeamRequired(str(order.team_id))
        if check.overlapping:
            raise OverlappingClaim()
        if check.upcoming >= self.max_upcoming:
            raise TooManyClaims(max=self.max_upcoming)

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

    async def _check_volunteer(
        self, session: AsyncSession, volunteer_id: int, order: Order, now: datetime
    ) -> None:
        checks = await claims_repo.grab_checks(session, order, [volunteer_id], now)
        self._refuse_volunteer(checks.get(volunteer_id), order)

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
            key, message = notices.order_filled(to, order_dto(order), now)
            await self.scheduler.enqueue(session, key, message)
        claim = await claims_repo.get(session, claim_id)
        assert claim is not None
        return claim_dto(claim, order)

    # ---- grab, waitlist, cancel, offers -------------------------------------------

    async def warm_up(self) -> None:
        """Run a grab batch's statements once, on no order and no volunteer (no row is
        read or written), so that SQLAlchemy builds and compiles them at start-up and
        not during the first storm after it: measured on bench/grab_storm.py, its claim
        batch took 57–95 ms cold, 28–57 ms after this."""
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
                key, message = notices.order_filled(to, order_dto(order), now)
                await self.scheduler.enqueue(session, key, message)
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

    def _cancellable(self, claim: Claim, order: Order, now: datetime) -> bool:
        """Raise why the claim cannot be given up now (AlreadyDecided, CancelTooLate);
        else whether giving it up now counts as a late cancellation."""
        state = claim.state
        if state == CANCELLED:
            raise AlreadyDecided(state)
        if state not in (CLAIMED, OFFERED, WAITLISTED):
            raise CancelTooLate(state)
        if state != WAITLISTED and (order.state not in GRABBABLE or now >= order.starts_at):
            raise CancelTooLate(order.state)
        return state == CLAIMED and now >= order.starts_at - self.cancel_cutoff

    async def giving_up(self, volunteer: UserDTO, claim_id: int) -> GivingUp:
        """What "Cancel my place" asks before anything is done: the place held (its
        version goes on the button that confirms) and when giving it up counts as late.
        NotFound, AlreadyDecided, CancelTooLate as :meth:`cancel`; a claim that is no
        held place (on the waitlist again, say, since the button was sent) is
        PlaceChanged."""
        now = self.clock.now()
        async with self.db.read() as session:
            claim, order = await owned_claim(session, volunteer, claim_id, lock=False)
            late = self._cancellable(claim, order, now)
            if claim.state != CLAIMED:
                raise PlaceChanged(claim.state)
            return GivingUp(claim_dto(claim, order), late, order.starts_at - self.cancel_cutoff)

    async def cancel(
        self, volunteer: UserDTO, claim_id: int, version: int | None = None
    ) -> ClaimDTO:
        """Give up a place (or an offer, or a waitlist place). Until ``cancel_cutoff``
        before the start it is free; from then until the start it is flagged
        ``late_cancel``; once the service started, CancelTooLate. With ``version`` (the
        confirming button's), only the claim as it was then: PlaceChanged otherwise."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            claim, order = await owned_claim(session, volunteer, claim_id)
            if version is not None and claim.version != version:
                raise PlaceChanged(claim.state)
            return await self._give_up(session, volunteer, claim, order, now)

    async def decline_offer(
        self, volunteer: UserDTO, claim_id: int, version: int | None = None
    ) -> ClaimDTO:
        """ "No, thanks" to a place offered: only the offer (of ``version``, the
        button's) while it stands — a settled one (accepted, declined, run out) is
        OfferSettled and nothing changes; the place passes to the next in line."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            claim, order = await owned_claim(session, volunteer, claim_id)
            if claim.state != OFFERED or version not in (None, claim.version):
                raise OfferSettled(claim.state)
            return await self._give_up(session, volunteer, claim, order, now)

    async def _give_up(
        self, session: AsyncSession, volunteer: UserDTO, claim: Claim, order: Order, now: datetime
    ) -> ClaimDTO:
        state = claim.state
        late = self._cancellable(claim, order, now)
        values: dict[str, object] = {"cancelled_at": now}
        if late:
            values["late_cancel"] = True
        if not await claims_repo.set_state(session, claim.id, state, state=CANCELLED, **values):
            raise AlreadyDecided(state)
        if state == OFFERED:
            await self.scheduler.cancel(session, offer_job_key(claim.id))
            await self._settle_offer(session, claim, order, "declined", volunteer)
        if state in (CLAIMED, OFFERED):
            await self._pass_on(session, order, now)
        if state == CLAIMED:
            for hook in self.on_given_up:
                await hook(session, claim.id)
            to = await recipient(session, order.requester_id, self.default_language)
            key, message = notices.order_volunteer_cancelled(to, order_dto(order), claim.id, now)
            await self.scheduler.enqueue(session, key, message)
        return await self._fresh(session, claim.id)

    async def accept_offer(
        self, volunteer: UserDTO, claim_id: int, version: int | None = None
    ) -> ClaimDTO:
        """Take the place offered: ``offered`` → ``claimed`` (it is already counted).
        Only the offer of ``version`` (the button's) while it stands: a place held
        already is AlreadyClaimed, an offer that ran out OfferExpired, one settled
        otherwise (declined, withdrawn, an older offer) OfferSettled."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            claim, order = await owned_claim(session, volunteer, claim_id)
            if claim.state == CLAIMED:
                raise AlreadyClaimed(claim.state)
            if claim.state != OFFERED or version not in (None, claim.version):
                ran_out = (
                    claim.state == CANCELLED
                    and claim.offer_expires_at is not None
                    and claim.cancelled_at is not None
                    and claim.cancelled_at >= claim.offer_expires_at
                )
                raise OfferExpired(claim.state) if ran_out else OfferSettled(claim.state)
            assert claim.offer_expires_at is not None
            if claim.offer_expires_at <= now or now >= order.starts_at:
                raise OfferExpired()
            await self._check_volunteer(session, volunteer.id, order, now)
            if not await claims_repo.set_state(session, claim.id, OFFERED, state=CLAIMED):
                raise OfferExpired()
            await self.scheduler.cancel(session, offer_job_key(claim.id))
            await self._settle_offer(session, claim, order, "accepted", volunteer)
            return await self._fresh(session, claim.id)

    async def _settle_offer(
        self,
        session: AsyncSession,
        claim: Claim,
        order: Order,
        outcome: str,
        volunteer: UserDTO | None = None,
    ) -> None:
        """The offer message says what became of the offer, without its buttons."""
        to = (
            Recipient(volunteer.telegram_id, volunteer.language)
            if volunteer is not None
            else await recipient(session, claim.volunteer_id, self.default_language)
        )
        assert order.number is not None
        await settle_offer_message(session, self.scheduler, to, claim, order.number, outcome)

    async def confirm_guidance(self, volunteer: UserDTO, claim_id: int) -> ClaimDTO:
        """The volunteer has read the guidance of the place they hold (recorded once)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            claim, _ = await owned_claim(session, volunteer, claim_id)
            if claim.state != CLAIMED:
                raise NotAllowed("only a held place")
            if claim.guidance_confirmed_at is None:
                await claims_repo.set_state(session, claim.id, CLAIMED, guidance_confirmed_at=now)
            return await self._fresh(session, claim.id)

    async def expire_offer(self, session: AsyncSession, claim_id: int) -> bool:
        """In the caller's unit of work (a job's): if the offer ran out, cancel it and
        pass the place on. True when it expired now; idempotent."""
        now = self.clock.now()
        claim = await claims_repo.get(session, claim_id)
        if claim is None or claim.state != OFFERED:
            return False
        order = await orders_repo.get(session, claim.order_id, for_update=True)
        claim = await claims_repo.get(session, claim_id)
        assert order is not None and claim is not None
        if claim.state != OFFERED or claim.offer_expires_at is None:
            return False
        if claim.offer_expires_at > now:
            return False
        if not await claims_repo.set_state(
            session, claim.id, OFFERED, state=CANCELLED, cancelled_at=now
        ):
            return False
        await self._settle_offer(session, claim, order, "expired")
        await self._pass_on(session, order, now)
        return True

    async def expire_offers(self, now: datetime | None = None) -> list[int]:
        """Every offer that ran out by ``now`` passes to the next in line (one unit of
        work each); the claims expired."""
        moment = now or self.clock.now()
        async with self.db.read() as session:
            due = await claims_repo.due_offers(session, moment)
        expired = []
        for claim_id in due:
            async with self.db.transaction() as session:
                if await self.expire_offer(session, claim_id):
                    expired.append(claim_id)
        return expired

    async def _pass_on(self, session: AsyncSession, order: Order, now: datetime) -> None:
        """A place came free: offer it to the first waitlisted volunteer (it stays
        reserved, ``taken`` unchanged), or give it back when nobody waits or the
        service has started."""
        waiting = await claims_repo.first_waitlisted(session, order.id)
        if waiting is None or now >= order.starts_at:
            await orders_repo.release_place(session, order.id, now)
            return
        expires = min(now + self.offer_time, order.starts_at)
        await claims_repo.set_state(
            session,
            waiting.id,
            WAITLISTED,
            state=OFFERED,
            offered_at=now,
            offer_expires_at=expires,
        )
        await self.scheduler.schedule(
            session, OFFER_EXPIRY_JOB, offer_job_key(waiting.id), expires, claim=waiting.id
        )
        offered = await self._fresh(session, waiting.id)
        to = await recipient(session, waiting.volunteer_id, self.default_language)
        key, message = notices.place_offered(to, offered, self.timezone)
        await self.scheduler.enqueue(session, key, message)

    async def _fresh(self, session: AsyncSession, claim_id: int) -> ClaimDTO:
        claim = await claims_repo.get(session, claim_id)
        assert claim is not None
        order = await orders_repo.get(session, claim.order_id)
        assert order is not None
        return claim_dto(claim, order)

    async def claims_of_order(self, order_id: int) -> list[ClaimDTO]:
        async with self.db.read() as session:
            order = await orders_repo.get(session, order_id)
            if order is None:
                raise NotFound("order")
            return [claim_dto(c, order) for c in await claims_repo.of_order(session, order_id)]
