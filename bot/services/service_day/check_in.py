"""The volunteer on the day of the service: their places (/myplaces) and what they
may do with each, checking in (with the location, if they share it) and out, and the
resident's contact while it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.grabs.rules import claim_dto, owned_claim
from bot.services.kernel.dto import ClaimDTO, Role, UserDTO
from bot.services.kernel.errors import (
    AlreadyDecided,
    CheckInClosed,
    CheckInNotOpen,
    CheckOutTooEarly,
    ContactHidden,
    InvalidValue,
    NotAllowed,
    NotCheckedIn,
    OrderCalledOff,
    OrderClosed,
    PlaceGivenUp,
)
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.orders import order_dto
from bot.services.kernel.scope import require_role
from bot.services.service_day.common import (
    CANCELLED,
    CHECKED_IN,
    CLAIMED,
    DONE,
    LIVE,
    NO_SHOW,
    SHOWN_STATES,
    Attendance,
    AttendanceBase,
    _attendance,
    served_minutes,
)
from storage.enums import OrderState
from storage.models import Claim, Order
from storage.repositories import attendance as attendance_repo
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo


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


class CheckIn(AttendanceBase):
    """The volunteer's places, check-in and check-out."""

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
        self,
        volunteer: UserDTO,
        claim_id: int,
        latitude: float,
        longitude: float,
        *,
        draft_of: int | None = None,
    ) -> Attendance:
        """The location shared right after checking in (optional)."""
        _check_location(latitude, longitude)
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
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


def _check_location(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None) or (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise InvalidValue("location", "invalid")
