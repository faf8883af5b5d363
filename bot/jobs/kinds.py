"""The job kinds the bot ships, and its calendar.

Later features (reminders, expiry, rating prompts …) register their kinds here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.jobs.calendar import CalendarJob
from bot.jobs.registry import JobRegistry
from bot.services.kernel.clock import Clock, SystemClock
from storage.repositories import jobs as jobs_repo
from storage.repositories import outbox as outbox_repo

KEEP_HISTORY = timedelta(days=30)


@dataclass(frozen=True)
class JobContext:
    """What job handlers get besides their unit of work."""

    clock: Clock
    services: Any = None
    wall: Clock = field(default_factory=SystemClock)  # the outbox's time (bot/delivery/outbox.py)


async def cleanup(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """Forget delivered messages, messages held for someone who has not come back, and
    finished jobs, older than 30 days."""
    await outbox_repo.purge_sent(session, ctx.wall.now() - KEEP_HISTORY)
    await jobs_repo.purge_finished(session, ctx.clock.now() - KEEP_HISTORY)


async def offer_expiry(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """A freed place offered to a waitlisted volunteer was not accepted in time: it
    passes to the next in line (nothing happens if it was accepted or declined)."""
    await ctx.services.claims.expire_offer(session, int(payload["claim"]))


async def review_overdue(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """A request still unreviewed: its street's (or the district's) coordinators are told."""
    await ctx.services.escalation.review_overdue(
        session, int(payload["order"]), str(payload["level"])
    )


async def order_unfilled(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """An open order still short of volunteers: its coordinators are told."""
    await ctx.services.escalation.unfilled(session, int(payload["order"]))


async def order_expire(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """At its start: an unreviewed request, or an order nobody took, expires."""
    await ctx.services.escalation.expire(session, int(payload["order"]))


async def service_start(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """At the start: an order with volunteers goes in service; the requester is told."""
    await ctx.services.attendance.start_job(session, int(payload["order"]))


async def service_no_show(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """At start + grace: places nobody checked in to are no-shows; coordinators told."""
    await ctx.services.attendance.no_show_job(session, int(payload["order"]))


async def service_auto_checkout(
    ctx: JobContext, session: AsyncSession, payload: dict[str, Any]
) -> None:
    """At end + grace: whoever forgot to check out is checked out, flagged."""
    await ctx.services.attendance.auto_checkout_job(session, int(payload["order"]))


async def order_remind(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """Hours before the start: volunteers holding a place reminded, the resident told
    who is coming."""
    await ctx.services.reminders.remind(session, int(payload["order"]), float(payload["hours"]))


async def contact_hide(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """After the service: the resident's address and phone hidden from the volunteers."""
    await ctx.services.contact.hide_for_order(session, int(payload["order"]))


async def broadcast_start(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """A scheduled broadcast's time: it is sent (bot/services/broadcasts/broadcasting.py)."""
    await ctx.services.broadcasts.start_scheduled(session, int(payload["broadcast"]))


async def rating_ask(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """A while after completion: the requester is asked to rate the service."""
    await ctx.services.ratings.ask_job(session, int(payload["prompt"]))


async def rating_remind(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """Once, if stars are still missing: the requester is reminded."""
    await ctx.services.ratings.remind_job(session, int(payload["prompt"]))


async def rating_expire(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """The prompt's end: closed, its buttons edited away."""
    await ctx.services.ratings.expire_job(session, int(payload["prompt"]))


async def rating_alert(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """Rated low and the comment question unanswered: the coordinators alerted."""
    await ctx.services.ratings.alert_job(session, int(payload["prompt"]))


def default_registry() -> JobRegistry:
    registry = JobRegistry()
    registry.register("maintenance.cleanup", cleanup, stale_after=timedelta(hours=20))
    # never stale: an offer found late must still pass on, or the place stays reserved
    registry.register("claim.offer_expiry", offer_expiry)
    # escalation (bot/services/requests/escalation.py): each job checks the order again when it
    # runs (an order reviewed, filled or started meanwhile is left alone), so late is
    # fine; expiry is never stale, or a request found late would wait for ever
    registry.register("order.review_overdue", review_overdue)
    registry.register("order.unfilled", order_unfilled)
    registry.register("order.expire", order_expire)
    # attendance (bot/services/service_day/jobs.py): never stale — found late after downtime,
    # each still has to happen (hours, no-shows, completion hang on them); each checks
    # the order again and does nothing once it was cancelled, expired or completed
    registry.register("attendance.start", service_start)
    registry.register("attendance.no_show", service_no_show)
    registry.register("attendance.auto_checkout", service_auto_checkout)
    # reminders: not stale as such (a 24 h reminder found 3 h late is still useful); the
    # job drops itself once the service started, or when a later reminder is due too
    registry.register("order.remind", order_remind)
    # never stale: the contact must be hidden however late
    registry.register("contact.hide", contact_hide)
    # 评单 (bot/services/ratings/): never stale — a prompt found late is still worth
    # asking (until it expires: each job re-reads the prompt and does nothing once it
    # is done or expired, or past its end), and the expiry and alert must happen
    registry.register("rating.ask", rating_ask)
    registry.register("rating.remind", rating_remind)
    registry.register("rating.expire", rating_expire)
    registry.register("rating.alert", rating_alert)
    # a scheduled broadcast: never stale — sent late after downtime rather than never
    # (its coordinator sees it in /broadcasts); it checks rights and audience again
    registry.register("broadcast.start", broadcast_start)
    return registry


CALENDAR = (CalendarJob("maintenance.cleanup", time(4, 0)),)
