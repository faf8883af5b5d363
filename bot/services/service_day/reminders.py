"""Reminders before the service, and "your helpers are coming" for the resident.

When an order is published, one durable job per ``[orders] reminder_hours`` offset is
scheduled at the start minus that offset (``order:{id}:remind:24h``); offsets already
past at publication are skipped. When a job runs it reads the order again: nothing is
sent for an order that is no longer open or filled (cancelled, expired, completed …),
nor once the service has started (the job is late: a reminder then makes no sense),
nor when a later reminder is already due as well (after downtime only the last one
goes out). Otherwise:

* every volunteer holding a place (``claimed``) is reminded, with the button that
  gives the place up — cancelling is allowed until the start; within ``[orders]
  cancel_cutoff_hours`` the reminder says it counts as late. Volunteers with an
  ``offered`` place are not: their offer message has its own buttons and deadline.
  The reminder does not repeat the resident's address: it is in the volunteer's place
  message, which is hidden again after the service (bot/services/service_day/contact.py);
* the resident (the order's requester) is told who is coming: the volunteers' names,
  how many, when. The message is keyed by the set of places held, so the first
  reminder tells them and a later one only if that set changed.

Outbox keys are per claim and offset (``claim.remind:{claim}:24h``): a job run twice
sends once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.grabs.rules import claim_dto
from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import OrderDTO, Recipient
from bot.services.kernel.notify import hours_label
from bot.services.kernel.orders import order_dto
from bot.services.org.units import category_dto, unit_dto
from bot.services.people.users import effective_language
from bot.services.service_day.notices import HelpersComing, ServiceReminder
from storage.enums import ClaimState, OrderState
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo
from storage.repositories import volunteers as volunteers_repo

log = logging.getLogger(__name__)

REMIND_JOB = "order.remind"
REMINDED = (OrderState.OPEN.value, OrderState.FILLED.value)


def remind_job_key(order_id: int, hours: float) -> str:
    return f"order:{order_id}:remind:{hours_label(hours)}"


@dataclass(eq=False, kw_only=True)
class ReminderService(LoopService):
    reminder_hours: list[float]
    cancel_cutoff_hours: float

    def __post_init__(self) -> None:
        self.reminder_hours = sorted(self.reminder_hours, reverse=True)

    async def plan(self, session: AsyncSession, order: OrderDTO) -> None:
        """On publication (OrderService.on_published): a job per reminder still ahead."""
        now = self.clock.now()
        for hours in self.reminder_hours:
            at = order.starts_at - timedelta(hours=hours)
            if at > now:
                await self.scheduler.schedule(
                    session,
                    REMIND_JOB,
                    remind_job_key(order.id, hours),
                    at,
                    order=order.id,
                    hours=f"{hours:g}",
                )

    async def remind(self, session: AsyncSession, order_id: int, hours: float) -> int:
        """The job: remind the volunteers holding a place and tell the resident who is
        coming. How many volunteers were reminded (0 when it no longer applies)."""
        now = self.clock.now()
        order = await orders_repo.get(session, order_id)
        if order is None or order.state not in REMINDED:
            return 0
        if now >= order.starts_at:
            log.info(
                "reminder %s dropped: the service has started", remind_job_key(order_id, hours)
            )
            return 0
        if any(
            h < hours and now >= order.starts_at - timedelta(hours=h) for h in self.reminder_hours
        ):
            log.info("reminder %s skipped: a later one is due", remind_job_key(order_id, hours))
            return 0
        held = [
            c
            for c in await claims_repo.of_order(session, order.id)
            if c.state == ClaimState.CLAIMED
        ]
        if not held:
            return 0
        community = await org_repo.unit(session, order.community_id)
        category = (await org_repo.categories_by_codes(session)).get(order.category)
        place = unit_dto(community) if community else None
        kind = category_dto(category) if category else None
        late = now >= order.starts_at - timedelta(hours=self.cancel_cutoff_hours)
        names = []
        for claim in held:
            user = await users_repo.by_id(session, claim.volunteer_id)
            if user is None:
                continue
            profile = await volunteers_repo.profile(session, user.id)
            names.append(profile.real_name if profile else user.first_name)
            notice = ServiceReminder(
                Recipient(user.telegram_id, effective_language(user, self.default_language)),
                claim_dto(claim, order),
                hours,
                kind,
                place,
                self.cancel_cutoff_hours if late else None,
            )
            await self.notifier.notify(session, notice)
        requester = await users_repo.by_id(session, order.requester_id)
        if requester is not None:
            to = Recipient(
                requester.telegram_id, effective_language(requester, self.default_language)
            )
            coming = HelpersComing(to, order_dto(order), tuple(c.id for c in held), tuple(names))
            await self.notifier.notify(session, coming)
        return len(held)
