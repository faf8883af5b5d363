"""What every use case of the service day (实践服务) shares: the claim states it moves
through, what handlers get (:class:`Attendance`, :class:`Record`), the minutes served,
and the base of AttendanceService with the moves (the service starts, a place is
finished, the requester is asked to confirm).

Times: check-in opens ``check_in_opens`` before the start and closes at the end of the
window. Hours count only where [checked in, checked out] overlaps the window widened
by ``grace`` on both sides.

A served (``done``) or forfeited (``no_show``) place no longer holds one of the
order's places: ``taken`` goes down with it. When no place is held any more and at
least one volunteer served, the requester is asked (outbox, with a button) to confirm
that the service was done (bot/services/service_day/completion.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.grabs.rules import release_waitlist
from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import OrderDTO, from_row
from bot.services.kernel.orders import order_dto
from bot.services.people.recipients import recipient
from bot.services.service_day.notices import ConfirmService, NobodyCame, ServiceStarted
from storage.enums import ClaimState, OrderState
from storage.models import Claim, Order
from storage.repositories import attendance as attendance_repo
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo

CLAIMED = ClaimState.CLAIMED.value
CHECKED_IN = ClaimState.CHECKED_IN.value
DONE = ClaimState.DONE.value
NO_SHOW = ClaimState.NO_SHOW.value
CANCELLED = ClaimState.CANCELLED.value
NOT_STARTED = (OrderState.OPEN.value, OrderState.FILLED.value)
IN_SERVICE = OrderState.IN_SERVICE.value
LIVE = (*NOT_STARTED, IN_SERVICE)
SHOWN_STATES = (CLAIMED, CHECKED_IN, DONE, NO_SHOW)

CompletedHook = Callable[[AsyncSession, OrderDTO], Awaitable[None]]
# (the session, the corrected claim's id, the correction's audit record's id)
CorrectedHook = Callable[[AsyncSession, int, int], Awaitable[None]]


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
    state: ClaimState
    guidance_confirmed_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    minutes: int | None
    auto_checked_out: bool
    minutes_corrected: bool
    late_cancel: bool
    located: bool


def _attendance(claim: Claim, order: OrderDTO, name: str) -> Attendance:
    return from_row(
        Attendance,
        claim,
        claim_id=claim.id,
        order=order,
        volunteer_name=name,
        state=ClaimState(claim.state),
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
class AttendanceBase(LoopService):
    check_in_opens: timedelta
    grace: timedelta
    hide_contact_after: timedelta
    # run in the transaction that completes an order (points, rating prompts …)
    on_completed: list[CompletedHook] = field(default_factory=list, init=False)
    # run in the transaction of a coordinator's correction of a claim's minutes
    on_corrected: list[CorrectedHook] = field(default_factory=list, init=False)

    async def _completable(self, session: AsyncSession, order: Order) -> bool:
        return (
            order.state == IN_SERVICE
            and await attendance_repo.holders(session, order.id) == 0
            and await attendance_repo.count_in_states(session, order.id, (DONE,)) > 0
        )

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
            await self.notifier.notify(session, ServiceStarted(to, dto))
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

    async def _after_place_freed(self, session: AsyncSession, order_id: int) -> None:
        """Nobody holds a place any more: ask the requester to confirm (someone served),
        or tell them nobody came."""
        order = await orders_repo.get(session, order_id)
        assert order is not None
        if order.state != IN_SERVICE or await attendance_repo.holders(session, order.id):
            return
        to = await recipient(session, order.requester_id, self.default_language)
        if await attendance_repo.count_in_states(session, order.id, (DONE,)):
            await self.notifier.notify(session, ConfirmService(to, order_dto(order)))
        else:
            await self.notifier.notify(session, NobodyCame(to, order_dto(order)))

    async def _fresh(self, session: AsyncSession, claim_id: int) -> Attendance:
        claim = await claims_repo.get(session, claim_id)
        assert claim is not None
        order = await orders_repo.get(session, claim.order_id)
        assert order is not None
        return _attendance(claim, order_dto(order), "")
