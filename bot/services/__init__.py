"""Use cases. Services hold the rules and the transaction, return DTOs, raise domain
errors, and import nothing from ``telegram``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.config import Config
from bot.delivery.outbox import OutboxService
from bot.services.grabs.claims import ClaimService
from bot.services.kernel.clock import Clock, SystemClock
from bot.services.kernel.flows import FlowService
from bot.services.kernel.scheduling import DatabaseScheduler, Scheduler
from bot.services.org.units import OrgService
from bot.services.people.coordinators import CoordinatorService
from bot.services.people.held import HeldMessages
from bot.services.people.users import UserService
from bot.services.people.volunteers import VolunteerService
from bot.services.requests.escalation import EscalationService
from bot.services.requests.orders import OrderService
from bot.services.service_day.attendance import AttendanceService
from bot.services.service_day.contact import ContactService
from bot.services.service_day.reminders import ReminderService
from storage.database import Database


@dataclass(frozen=True)
class Services:
    db: Database
    clock: Clock
    users: UserService
    org: OrgService
    volunteers: VolunteerService
    coordinators: CoordinatorService
    flows: FlowService
    outbox: OutboxService
    held: HeldMessages
    scheduler: Scheduler
    orders: OrderService
    claims: ClaimService
    reminders: ReminderService
    contact: ContactService
    escalation: EscalationService
    attendance: AttendanceService

    @classmethod
    def build(
        cls,
        config: Config,
        db: Database,
        clock: Clock | None = None,
        scheduler: Scheduler | None = None,
    ) -> Services:
        clock = clock or SystemClock()
        scheduler = scheduler or DatabaseScheduler(clock)
        # notices to people, built in words and queued through the scheduler (imported
        # here: the messages package imports the services' DTOs, and this package's import must
        # not import it back — until this composition moves to bot/app.py)
        from bot.messages.notifier import MessageNotifier

        notifier = MessageNotifier(scheduler, config.general.timezone)
        language = config.general.default_language
        # what every service of the order loop holds (bot/services/kernel/base.py LoopService)
        loop: dict[str, Any] = {
            "db": db,
            "clock": clock,
            "scheduler": scheduler,
            "notifier": notifier,
            "default_language": language,
            "timezone": config.general.timezone,
        }
        held = HeldMessages(db, clock, notifier, language)
        services = cls(
            db=db,
            clock=clock,
            users=UserService(db, clock, language, held=held),
            org=OrgService(db),
            volunteers=VolunteerService(
                db,
                clock,
                notifier,
                require_approval=config.volunteers.require_approval,
                default_language=language,
            ),
            coordinators=CoordinatorService(db, notifier, language),
            flows=FlowService(db),
            outbox=OutboxService(db, clock),
            held=held,
            scheduler=scheduler,
            orders=OrderService(
                **loop,
                default_rate=config.points.rate_per_hour,
                max_days_ahead=config.orders.max_days_ahead,
            ),
            claims=ClaimService(
                **loop,
                max_upcoming=config.orders.max_upcoming_claims,
                cancel_cutoff=timedelta(hours=config.orders.cancel_cutoff_hours),
                offer_time=timedelta(minutes=config.orders.offer_minutes),
            ),
            reminders=ReminderService(
                **loop,
                reminder_hours=config.orders.reminder_hours,
                cancel_cutoff_hours=config.orders.cancel_cutoff_hours,
            ),
            contact=ContactService(
                **loop,
                hide_after=timedelta(hours=config.orders.hide_contact_after_hours),
            ),
            escalation=EscalationService(
                **loop,
                street_after=timedelta(hours=config.orders.escalate_street_hours),
                district_after=timedelta(hours=config.orders.escalate_district_hours),
                unfilled_before=timedelta(hours=config.orders.unfilled_warning_hours),
            ),
            attendance=AttendanceService(
                **loop,
                check_in_opens=timedelta(minutes=config.orders.check_in_opens_minutes),
                grace=timedelta(minutes=config.orders.service_grace_minutes),
                hide_contact_after=timedelta(hours=config.orders.hide_contact_after_hours),
            ),
        )
        services.wire()
        return services

    async def warm_up(self) -> None:
        """Prepare what the busiest moment, a grab storm, runs (see ClaimService.warm_up),
        before the first update; nothing in the database changes."""
        await self.users.warm_up()
        await self.claims.warm_up()

    def wire(self) -> None:
        """Subscribe the services that plan an order's future to its changes."""
        self.orders.on_published.append(self.reminders.plan)
        self.orders.on_published.append(self.contact.plan)
        self.orders.on_cancelled.append(self.contact.hide_order)
        self.claims.on_given_up.append(self.contact.hide_for_claim)
        self.escalation.subscribe(self.orders)
        self.orders.on_published.append(self.attendance.plan)
