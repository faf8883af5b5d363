"""The service day's durable jobs. Three are planned when an order is published
(``order:{id}:start``, ``…:no_show``, ``…:auto_checkout``): at the start the order
goes ``in_service``; at start + grace the places still only ``claimed`` become
``no_show`` (the volunteer and the coordinators are told); at end + grace whoever is
still checked in is checked out with hours up to the end of the window, flagged
``auto_checked_out``. Each job re-reads the order and does nothing once it was
cancelled, expired or completed, so a job that runs twice, or late, is harmless.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import OrderDTO
from bot.services.kernel.orders import order_dto
from bot.services.people.recipients import nearest_coordinators, recipient
from bot.services.service_day.common import (
    CHECKED_IN,
    CLAIMED,
    DONE,
    LIVE,
    NO_SHOW,
    AttendanceBase,
    served_minutes,
)
from bot.services.service_day.notices import AutoCheckedOut, NoShow, NoShowToCoordinator
from storage.models import Order
from storage.repositories import attendance as attendance_repo
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo

START_JOB = "attendance.start"
NO_SHOW_JOB = "attendance.no_show"
AUTO_CHECKOUT_JOB = "attendance.auto_checkout"


def job_key(order_id: int, what: str) -> str:
    return f"order:{order_id}:{what}"


class ServiceJobs(AttendanceBase):
    """Planning the jobs, and running them."""

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
                await self.notifier.notify(session, AutoCheckedOut(to, dto, claim.id, minutes))
        await self._after_place_freed(session, order.id)

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
            await self.notifier.notify(session, NoShow(to, dto, claim.id))
            for coordinator in coordinators:
                notice = NoShowToCoordinator(coordinator, dto, claim.id, name)
                await self.notifier.notify(session, notice)
