"""The services the bot runs on, as one object handlers, jobs and commands are given.
It is built, from the configuration, in one place: :func:`bot.app.build_services`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.delivery.outbox import OutboxService
from bot.services.broadcasts.broadcasting import BROADCAST
from bot.services.broadcasts.control import BroadcastControl
from bot.services.fanout.campaigns import ORDER_ANNOUNCE, CampaignService
from bot.services.grabs.claims import ClaimService
from bot.services.kernel.clock import Clock
from bot.services.kernel.flows import FlowService
from bot.services.kernel.scheduling import Scheduler
from bot.services.org.units import OrgService
from bot.services.people.coordinators import CoordinatorService
from bot.services.people.held import HeldMessages
from bot.services.people.users import UserService
from bot.services.people.volunteers import VolunteerService
from bot.services.points.redemptions import RedemptionService
from bot.services.points.rewards import RewardService
from bot.services.points.service import PointsService
from bot.services.ratings.service import RatingService
from bot.services.recognition.certificates import CertificateService
from bot.services.recognition.rankings import RankingService
from bot.services.recognition.stars import StarService
from bot.services.reports.audit import AuditService
from bot.services.reports.charts import ChartService
from bot.services.reports.exports import ExportService
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
    rewards: RewardService
    redemptions: RedemptionService
    points: PointsService
    campaigns: CampaignService
    broadcasts: BroadcastControl
    ratings: RatingService
    rankings: RankingService
    stars: StarService
    exports: ExportService
    audit: AuditService
    certificates: CertificateService
    charts: ChartService

    async def warm_up(self) -> None:
        """Prepare what the busiest moment, a grab storm, runs (see ClaimService.warm_up),
        before the first update; nothing in the database changes."""
        await self.users.warm_up()
        await self.claims.warm_up()

    def wire(self) -> None:
        """Subscribe the services that plan an order's future to its changes."""
        # an order's announcement, a page of its volunteers at a time (bot/delivery/fanout.py)
        self.campaigns.register(ORDER_ANNOUNCE, self.orders.announcement)
        self.campaigns.register(BROADCAST, self.broadcasts.copies)  # a coordinator's call
        self.broadcasts.orders = self.orders  # the activity a broadcast may carry
        self.orders.on_published.append(self.reminders.plan)
        self.orders.on_published.append(self.contact.plan)
        self.orders.on_cancelled.append(self.contact.hide_order)
        self.claims.on_given_up.append(self.contact.hide_for_claim)
        self.escalation.subscribe(self.orders)
        self.orders.on_published.append(self.attendance.plan)
        # the 公益银行: each served place earns when its order completes; a later
        # correction of its hours books the difference
        self.attendance.on_completed.append(self.points.on_completed)
        self.attendance.on_corrected.append(self.points.on_corrected)
        # 星级志愿者: a level reached with those hours, announced once
        self.attendance.on_completed.append(self.stars.on_completed)
        self.attendance.on_corrected.append(self.stars.on_corrected)
        # a completed order's 评单 (its prompt and jobs, in the completing transaction)
        self.attendance.on_completed.append(self.ratings.plan)
        # a five-star rating's bonus (``[points] bonus_five_stars``), in the rating's
        # transaction
        self.ratings.on_rated.append(self.points.on_rated)
