"""Service (实践服务) and completion: check in, check out, hours, no-shows, forgotten
check-outs, corrections by coordinators, and the confirmation that closes an order.

Times: check-in opens ``check_in_opens`` before the start and closes at the end of the
window. Hours count only where [checked in, checked out] overlaps the window widened
by ``grace`` on both sides. Three durable jobs are planned when an order is published
(``order:{id}:start``, ``…:no_show``, ``…:auto_checkout``): at the start the order
goes ``in_service``; at start + grace the places still only ``claimed`` become
``no_show`` (the volunteer and the coordinators are told); at end + grace whoever is
still checked in is checked out with hours up to the end of the window, flagged
``auto_checked_out``. Each job re-reads the order and does nothing once it was
cancelled, expired or completed, so a job that runs twice, or late, is harmless.

A served (``done``) or forfeited (``no_show``) place no longer holds one of the
order's places: ``taken`` goes down with it. When no place is held any more and at
least one volunteer served, the requester is asked (outbox, with a button) to confirm
that the service was done; the requester or a coordinator in scope confirming
completes the order, and the requester (and the volunteers) are told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import notices
from bot.services.base import LoopService
from bot.services.claims import claim_dto, owned_claim, release_waitlist
from bot.services.dto import ClaimDTO, OrderDTO, Page, Role, UserDTO
from bot.services.errors import (
    AlreadyDecided,
    CheckInClosed,
    CheckInNotOpen,
    CheckOutTooEarly,
    ContactHidden,
    InvalidValue,
    NotAllowed,
    NotCheckedIn,
    NotFinished,
    NotFound,
    OrderCalledOff,
    OrderClosed,
    PlaceGivenUp,
)
from bot.services.order_common import order_dto, scoped_order
from bot.services.paging import fetch_page
from bot.services.recipients import nearest_coordinators, recipient
from bot.services.scope import require_coordinator, require_role, require_scope
from bot.services.validation import free_text, typed_number
from storage.enums import ClaimState, OrderState
from storage.models import Claim, Order
from storage.repositories import attendance as attendance_repo
from storage.repositories import audit as audit_repo
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo
from storage.repositories import volunteers as volunteers_repo

START_JOB = "attendance.start"
NO_SHOW_JOB = "attendance.no_show"
AUTO_CHECKOUT_JOB = "attendance.auto_checkout"

CLAIMED = ClaimState.CLAIMED.value
CHECKED_IN = ClaimState.CHECKED_IN.value
DONE = ClaimState.DONE.value
NO_SHOW = ClaimState.NO_SHOW.value
CANCELLED = ClaimState.CANCELLED.value
NOT_STARTED = (OrderState.OPEN.value, OrderState.FILLED.value)
IN_SERVICE = OrderState.IN_SERVICE.value
LIVE = (*NOT_STARTED, IN_SERVICE)
SHOWN_STATES = (CLAIMED, CHECKED_IN, DONE, NO_SHOW)
PAGE_SIZE = 5
MAX_MINUTES = 24 * 60
REASON_MAX = 500

CompletedHook = Callable[[AsyncSession, OrderDTO], Awaitable[None]]
CorrectedHook = Callable[[AsyncSession, int], Awaitable[None]]


def job_key(order_id: int, what: str) -> str:
    return f"order:{order_id}:{what}"


# ---- what handlers get ---------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """A volunteer's record (coordinators see it): services done, minutes, late
    cancellations, no-shows."""

    volunteer_id: int
    services: int
    minutes: int
    late_cancels: int
    no_shows: int


@dataclass(frozen=True)
class Attendance:
    claim_id: int
    order: OrderDTO
    volunteer_id: int
    volunteer_name: str
    state: str
    guidance_confirmed_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    minutes: int | None
    auto_checked_out: bool
    minutes_corrected: bool
    late_cancel: bool
    located: bool


@dataclass(frozen=True)
class Place:
    """One of the volunteer's places as /myplaces shows it: what they may do now, and
    when what they may not do yet opens (check-in before the start, check-out at it)."""

    attendance: Attendance
    can_check_in: bool
    can_check_out: bool
    check_in_opens_at: datetime
    check_out_opens_at: datetime
    show_contact: bool


@dataclass(frozen=True)
class OrderView:
    """An order as its coordinators see it: every volunteer with their record."""

    order: OrderDTO
    rows: tuple[tuple[Attendance, Record], ...]
    completable: bool


def _attendance(claim: Claim, order: OrderDTO, name: str) -> Attendance:
    return Attendance(
        claim_id=claim.id,
        order=order,
        volunteer_id=claim.volunteer_id,
        volunteer_name=name,
        state=claim.state,
        guidance_confirmed_at=claim.guidance_confirmed_at,
        checked_in_at=claim.checked_in_at,
        checked_out_at=claim.checked_out_at,
        minutes=claim.minutes,
        auto_checked_out=claim.auto_checked_out,
        minutes_corrected=claim.minutes_corrected,
        late_cancel=claim.late_cancel,
        located=claim.check_in_latitude is not None,
    )


def _record(row: attendance_repo.RecordRow) -> Record:
    return Record(row.volunteer_id, row.services, row.minutes, row.late_cancels, row.no_shows)


def served_minutes(
    checked_in: datetime,
    checked_out: datetime,
    starts_at: datetime,
    ends_at: datetime,
    grace: timedelta,
) -> int:
    """Whole minutes of [checked_in, checked_out] inside [start - grace, end + grace]."""
    begin = max(checked_in, starts_at - grace)
    end = min(checked_out, ends_at + grace)
    return max(0, int((end - begin).total_seconds() // 60))


@dataclass(eq=False, kw_only=True)
class AttendanceService(LoopService):
    check_in_opens: timedelta
    grace: timedelta
    hide_contact_after: timedelta
    # run in the transaction that completes an order (points, rating prompts …)
    on_completed: list[CompletedHook] = field(default_factory=list, init=False)
    # run in the transaction of a coordinator's correction of a claim's minutes
    on_corrected: list[CorrectedHook] = field(default_factory=list, init=False)

    # ---- planning -------------------------------------------------------------------

    async def plan(self, session: AsyncSession, order: OrderDTO) -> None:
        """OrderService.on_published: the order's start, no-show and check-out jobs."""
        await self.scheduler.schedule(
            session, START_JOB, job_key(order.id, "start"), order.starts_at, order=order.id
        )
        await self.scheduler.schedule(
            session,
            NO_SHOW_JOB,
            job_key(order.id, "no_show"),
            order.starts_at + self.grace,
            order=order.id,
        )
        await self.scheduler.schedule(
            session,
            AUTO_CHECKOUT_JOB,
            job_key(order.id, "auto_checkout"),
            order.ends_at + self.grace,
            order=order.id,
        )

    # ---- the volunteer ----------------------------------------------------------------

    def _place(self, claim: Claim, order: Order, now: datetime) -> Place:
        opens = order.starts_at - self.check_in_opens
        return Place(
            attendance=_attendance(claim, order_dto(order), ""),
            can_check_in=claim.state == CLAIMED and opens <= now < order.ends_at,
            can_check_out=claim.state == CHECKED_IN and now >= order.starts_at,
            check_in_opens_at=opens,
            check_out_opens_at=order.starts_at,
            show_contact=now <= order.ends_at + self.hide_contact_after,
        )

    async def check_in(
        self,
        volunteer: UserDTO,
        claim_id: int,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> Place:
        """From ``check_in_opens`` before the start until the end of the window. The
        place as it is now: whether check-out is open already (a check-in after the
        start), else when it opens."""
        now = self.clock.now()
        _check_location(latitude, longitude)
        async with self.db.transaction() as session:
            claim, order = await owned_claim(session, volunteer, claim_id)
            if claim.state == CHECKED_IN:
                raise AlreadyDecided(claim.state)
            if claim.state == NO_SHOW:
                raise CheckInClosed(claim.state)
            if claim.state != CLAIMED:
                raise NotAllowed("only a held place")
            if order.state not in LIVE:
                raise OrderClosed(order.state)
            opens = order.starts_at - self.check_in_opens
            if now < opens:
                raise CheckInNotOpen(opens)
            if now >= order.ends_at:
                raise CheckInClosed("window over")
            await claims_repo.set_state(
                session,
                claim.id,
                CLAIMED,
                state=CHECKED_IN,
                checked_in_at=now,
                check_in_latitude=latitude,
                check_in_longitude=longitude,
            )
            if now >= order.starts_at:
                await self._start(session, order, now)
            fresh, now_order = (
                await claims_repo.get(session, claim.id),
                await orders_repo.get(session, claim.order_id),
            )
            assert fresh is not None and now_order is not None
            return self._place(fresh, now_order, now)

    async def share_location(
        self, volunteer: UserDTO, claim_id: int, latitude: float, longitude: float
    ) -> Attendance:
        """The location shared right after checking in (optional)."""
        _check_location(latitude, longitude)
        async with self.db.transaction() as session:
            claim, _ = await owned_claim(session, volunteer, claim_id)
            if claim.state != CHECKED_IN:
                raise NotCheckedIn(claim.state)
            await claims_repo.set_state(
                session,
                claim.id,
                CHECKED_IN,
                check_in_latitude=latitude,
                check_in_longitude=longitude,
            )
            return await self._fresh(session, claim.id)

    async def check_out(self, volunteer: UserDTO, claim_id: int) -> Attendance:
        """Once the service started: the place is done, with the minutes served."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            claim, order = await owned_claim(session, volunteer, claim_id)
            if claim.state == DONE:
                raise AlreadyDecided(claim.state)
            if claim.state != CHECKED_IN or claim.checked_in_at is None:
                raise NotCheckedIn(claim.state)
            if order.state not in LIVE:
                raise OrderClosed(order.state)
            if now < order.starts_at:
                raise CheckOutTooEarly()
            await self._start(session, order, now)
            minutes = served_minutes(
                claim.checked_in_at, now, order.starts_at, order.ends_at, self.grace
            )
            await self._finish_claim(
                session,
                order,
                claim,
                CHECKED_IN,
                now,
                state=DONE,
                checked_out_at=now,
                minutes=minutes,
            )
            await self._after_place_freed(session, order.id)
            return await self._fresh(session, claim.id)

    async def my_places(self, volunteer: UserDTO) -> list[Place]:
        """The volunteer's places not yet served, soonest first, with what they may do."""
        require_role(volunteer, Role.VOLUNTEER)
        now = self.clock.now()
        async with self.db.read() as session:
            rows = await attendance_repo.held_by(session, volunteer.id)
            return [self._place(claim, order, now) for claim, order in rows]

    async def place_with_contact(self, volunteer: UserDTO, claim_id: int) -> ClaimDTO:
        """The volunteer's place, to be shown with the resident's address and phone:
        only while they hold it or served it (PlaceGivenUp, OrderCalledOff), and
        until ``hide_contact_after`` after the end (ContactHidden); another's claim, or
        a forged id, is NotFound."""
        async with self.db.read() as session:
            claim, order = await owned_claim(session, volunteer, claim_id, lock=False)
            if claim.state == CANCELLED:
                called_off = order.state == OrderState.CANCELLED.value
                raise OrderCalledOff() if called_off else PlaceGivenUp()
            if (
                claim.state not in SHOWN_STATES
                or self.clock.now() > order.ends_at + self.hide_contact_after
            ):
                raise ContactHidden()
            return claim_dto(claim, order)

    async def my_record(self, volunteer: UserDTO) -> Record:
        async with self.db.read() as session:
            rows = await attendance_repo.records(session, [volunteer.id])
        return _record(rows[volunteer.id])

    # ---- coordinators -----------------------------------------------------------------

    async def live_orders(self, actor: UserDTO, page: int = 0) -> Page[OrderDTO]:
        """Published orders not completed yet in the coordinator's unit and below."""
        unit = require_coordinator(actor)
        async with self.db.read() as session:
            rows, page, pages, total = await fetch_page(
                lambda offset, limit: attendance_repo.live_under(session, unit.path, offset, limit),
                page,
                PAGE_SIZE,
            )
        return Page(tuple(order_dto(o) for o in rows), page, pages, total)

    async def find_order(self, actor: UserDTO, number: str) -> int:
        """The id of the order numbered ``number`` (``HY000042`` or ``42``), in scope."""
        require_coordinator(actor)
        text = number.strip().upper()
        digits = text[len(orders_repo.NUMBER_PREFIX) :] if text.startswith("HY") else text
        order_id = typed_number(digits)
        if order_id is None:
            raise InvalidValue("order_number", "not_found")
        async with self.db.read() as session:
            order = await orders_repo.get(session, order_id)
            if order is None:
                raise InvalidValue("order_number", "not_found")
            await scoped_order(session, actor, order.id)
            return order.id

    async def order_view(self, actor: UserDTO, order_id: int) -> OrderView:
        async with self.db.read() as session:
            order = await scoped_order(session, actor, order_id)
            return await self._view(session, order)

    async def _view(self, session: AsyncSession, order: Order) -> OrderView:
        dto = order_dto(order)
        claims = await attendance_repo.claims_with_names(session, order.id, SHOWN_STATES)
        records = await attendance_repo.records(session, [c.volunteer_id for c, _ in claims])
        rows = tuple(
            (_attendance(c, dto, name), _record(records[c.volunteer_id])) for c, name in claims
        )
        completable = await self._completable(session, order)
        return OrderView(dto, rows, completable)

    async def record(self, actor: UserDTO, volunteer_id: int) -> Record:
        """A volunteer's record, for a coordinator of a unit at or above their community."""
        require_coordinator(actor)
        async with self.db.read() as session:
            profile = await volunteers_repo.profile(session, volunteer_id)
            if profile is None:
                raise NotFound("volunteer")
            unit = await org_repo.unit(session, profile.community_id)
            assert unit is not None
            require_scope(actor, unit.path)
            rows = await attendance_repo.records(session, [volunteer_id])
        return _record(rows[volunteer_id])

    async def correctable(self, actor: UserDTO, claim_id: int) -> Attendance:
        """The claim a coordinator may correct (checked before the correction flow)."""
        async with self.db.read() as session:
            claim = await claims_repo.get(session, claim_id)
            if claim is None:
                raise NotFound("claim")
            order = await scoped_order(session, actor, claim.order_id)
            if claim.state not in (DONE, NO_SHOW):
                raise NotFinished(claim.state)
            (row,) = [
                r
                for r in await attendance_repo.claims_with_names(session, order.id, (claim.state,))
                if r[0].id == claim.id
            ]
            return _attendance(claim, order_dto(order), row[1])

    async def correct_hours(
        self, actor: UserDTO, claim_id: int, minutes: int, reason: str
    ) -> Attendance:
        """Set a finished claim's minutes (0 … 1440) with a reason; audited, the
        volunteer told. A no-show given minutes becomes done (they did come)."""
        text = free_text(reason, "reason", REASON_MAX)
        if not 0 <= minutes <= MAX_MINUTES:
            raise InvalidValue("minutes", "range", min=0, max=MAX_MINUTES)
        require_coordinator(actor)
        async with self.db.transaction() as session:
            claim = await claims_repo.get(session, claim_id)
            if claim is None:
                raise NotFound("claim")
            order = await scoped_order(session, actor, claim.order_id, lock=True)
            claim = await claims_repo.get(session, claim_id)
            assert claim is not None
            if claim.state not in (DONE, NO_SHOW):
                raise NotFinished(claim.state)
            before, state = claim.minutes, claim.state
            new_state = DONE if state == DONE or minutes > 0 else NO_SHOW
            await claims_repo.set_state(
                session,
                claim.id,
                state,
                state=new_state,
                minutes=minutes,
                minutes_corrected=True,
            )
            event = await audit_repo.record(
                session,
                action="claim.correct_hours",
                actor_id=actor.id,
                unit_id=order.community_id,
                target_kind="claim",
                target_id=claim.id,
                detail={
                    "order": order.id,
                    "from": before,
                    "to": minutes,
                    "state_from": state,
                    "state_to": new_state,
                    "reason": text,
                },
            )
            to = await recipient(session, claim.volunteer_id, self.default_language)
            key, message = notices.hours_corrected(
                to, order_dto(order), claim.id, minutes, text, event
            )
            await self.scheduler.enqueue(session, key, message)
            for hook in self.on_corrected:
                await hook(session, claim.id)
            if new_state != state:
                await self._after_place_freed(session, order.id)
            return await self._fresh(session, claim.id)

    # ---- completion ---------------------------------------------------------------------

    async def _completable(self, session: AsyncSession, order: Order) -> bool:
        return (
            order.state == IN_SERVICE
            and await attendance_repo.holders(session, order.id) == 0
            and await attendance_repo.count_in_states(session, order.id, (DONE,)) > 0
        )

    async def confirm_completion(self, actor: UserDTO, order_id: int) -> OrderDTO:
        """The requester, or a coordinator in scope (audited), confirms the service was
        done: the order is completed once nobody holds a place any more. The volunteers
        are told; the requester too when a coordinator confirmed (when they confirmed
        themselves, the reply to their press is their one completion message)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            order = await orders_repo.get(session, order_id, for_update=True)
            if order is None:
                raise NotFound("order")
            by_coordinator = order.requester_id != actor.id
            if by_coordinator:
                if actor.coordinator_unit is None:
                    raise NotAllowed("requester or coordinator only")
                order = await scoped_order(session, actor, order_id)
            if order.state == OrderState.COMPLETED.value:
                raise AlreadyDecided(order.state)
            if order.state not in LIVE:
                raise OrderClosed(order.state)
            if not await self._completable(session, order):
                raise NotFinished(order.state)
            if not await orders_repo.change_state(
                session,
                order.id,
                (IN_SERVICE,),
                state=OrderState.COMPLETED.value,
                completed_at=now,
                completed_by_id=actor.id,
                updated_at=now,
            ):
                raise AlreadyDecided(order.state)
            fresh = await orders_repo.get(session, order.id)
            assert fresh is not None
            dto = order_dto(fresh)
            if by_coordinator:
                await audit_repo.record(
                    session,
                    action="order.complete",
                    actor_id=actor.id,
                    unit_id=fresh.community_id,
                    target_kind="order",
                    target_id=fresh.id,
                )
            if by_coordinator:  # the requester who confirmed has the reply to their press
                to = await recipient(session, fresh.requester_id, self.default_language)
                key, message = notices.order_completed(to, dto)
                await self.scheduler.enqueue(session, key, message)
            for claim, _ in await attendance_repo.claims_with_names(session, fresh.id, (DONE,)):
                to = await recipient(session, claim.volunteer_id, self.default_language)
                key, message = notices.service_completed(to, dto, claim.id, claim.minutes or 0)
                await self.scheduler.enqueue(session, key, message)
            for hook in self.on_completed:
                await hook(session, dto)
            return dto

    # ---- jobs (each in the job's unit of work) ------------------------------------------

    async def _live_order(self, session: AsyncSession, order_id: int) -> Order | None:
        order = await orders_repo.get(session, order_id, for_update=True)
        if order is None or order.state not in LIVE:
            return None  # cancelled, expired, completed meanwhile: nothing to do
        return order

    async def start_job(self, session: AsyncSession, order_id: int) -> None:
        """At the start: an order with volunteers goes in service (the requester is told)."""
        order = await self._live_order(session, order_id)
        if order is not None:
            await self._start(session, order, self.clock.now())

    async def no_show_job(self, session: AsyncSession, order_id: int) -> None:
        """At start + grace: places still only claimed are no-shows."""
        order = await self._live_order(session, order_id)
        if order is None:
            return
        now = self.clock.now()
        await self._start(session, order, now)
        await self._mark_no_shows(session, order, now)
        await self._after_place_freed(session, order.id)

    async def auto_checkout_job(self, session: AsyncSession, order_id: int) -> None:
        """At end + grace: whoever is still checked in is checked out, with minutes up
        to the end of the window, flagged; the volunteer is told."""
        order = await self._live_order(session, order_id)
        if order is None:
            return
        now = self.clock.now()
        await self._start(session, order, now)
        await self._mark_no_shows(session, order, now)
        at = order.ends_at + self.grace
        dto = order_dto(order)
        for claim, _ in await attendance_repo.claims_with_names(session, order.id, (CHECKED_IN,)):
            assert claim.checked_in_at is not None
            minutes = served_minutes(
                claim.checked_in_at, order.ends_at, order.starts_at, order.ends_at, self.grace
            )
            if await self._finish_claim(
                session,
                order,
                claim,
                CHECKED_IN,
                now,
                state=DONE,
                checked_out_at=at,
                minutes=minutes,
                auto_checked_out=True,
            ):
                to = await recipient(session, claim.volunteer_id, self.default_language)
                key, message = notices.auto_checked_out(to, dto, claim.id, minutes)
                await self.scheduler.enqueue(session, key, message)
        await self._after_place_freed(session, order.id)

    # ---- the moves ------------------------------------------------------------------------

    async def _start(self, session: AsyncSession, order: Order, now: datetime) -> None:
        """open/filled → in_service once the start has come and someone holds a place."""
        if order.state not in NOT_STARTED or now < order.starts_at:
            return
        if await attendance_repo.holders(session, order.id) == 0:
            return  # nobody to serve: expiry is another job's business
        if await orders_repo.change_state(
            session, order.id, NOT_STARTED, state=IN_SERVICE, updated_at=now
        ):
            await orders_repo.get(session, order.id)  # refreshes ``order`` in place
            dto = order_dto(order)
            to = await recipient(session, order.requester_id, self.default_language)
            key, message = notices.service_started(to, dto)
            await self.scheduler.enqueue(session, key, message)
            await release_waitlist(self, session, dto, now, started=True)

    async def _finish_claim(
        self,
        session: AsyncSession,
        order: Order,
        claim: Claim,
        from_state: str,
        now: datetime,
        **values: object,
    ) -> bool:
        if not await claims_repo.set_state(session, claim.id, from_state, **values):
            return False
        await attendance_repo.give_back_place(session, order.id, now)
        return True

    async def _mark_no_shows(self, session: AsyncSession, order: Order, now: datetime) -> None:
        if now < order.starts_at + self.grace:
            return
        missing = await attendance_repo.claims_with_names(session, order.id, (CLAIMED,))
        if not missing:
            return
        unit = await org_repo.unit(session, order.community_id)
        assert unit is not None
        coordinators = await nearest_coordinators(session, unit.path, self.default_language)
        dto = order_dto(order)
        for claim, name in missing:
            if not await self._finish_claim(session, order, claim, CLAIMED, now, state=NO_SHOW):
                continue
            to = await recipient(session, claim.volunteer_id, self.default_language)
            key, message = notices.no_show_volunteer(to, dto, claim.id)
            await self.scheduler.enqueue(session, key, message)
            for coordinator in coordinators:
                key, message = notices.no_show_coordinator(
                    coordinator, dto, claim.id, name, self.timezone
                )
                await self.scheduler.enqueue(session, key, message)

    async def _after_place_freed(self, session: AsyncSession, order_id: int) -> None:
        """Nobody holds a place any more: ask the requester to confirm (someone served),
        or tell them nobody came."""
        order = await orders_repo.get(session, order_id)
        assert order is not None
        if order.state != IN_SERVICE or await attendance_repo.holders(session, order.id):
            return
        to = await recipient(session, order.requester_id, self.default_language)
        if await attendance_repo.count_in_states(session, order.id, (DONE,)):
            key, message = notices.confirm_service(to, order_dto(order))
        else:
            key, message = notices.nobody_came(to, order_dto(order))
        await self.scheduler.enqueue(session, key, message)

    async def _fresh(self, session: AsyncSession, claim_id: int) -> Attendance:
        claim = await claims_repo.get(session, claim_id)
        assert claim is not None
        order = await orders_repo.get(session, claim.order_id)
        assert order is not None
        return _attendance(claim, order_dto(order), "")


def _check_location(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None) or (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise InvalidValue("location", "invalid")
