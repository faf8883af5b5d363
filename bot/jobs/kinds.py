"""The job kinds the bot ships, and its calendar.

Later features (reminders, expiry, rating prompts …) register their kinds here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.jobs.calendar import CalendarJob
from bot.jobs.registry import JobRegistry
from bot.services.clock import Clock
from storage.repositories import jobs as jobs_repo
from storage.repositories import outbox as outbox_repo

KEEP_HISTORY = timedelta(days=30)


@dataclass(frozen=True)
class JobContext:
    """What job handlers get besides their unit of work."""

    clock: Clock
    services: Any = None


async def cleanup(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """Forget delivered messages and finished jobs older than 30 days."""
    before = ctx.clock.now() - KEEP_HISTORY
    await outbox_repo.purge_sent(session, before)
    await jobs_repo.purge_finished(session, before)


async def offer_expiry(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """A freed place offered to a waitlisted volunteer was not accepted in time: it
    passes to the next in line (nothing happens if it was accepted or declined)."""
    await ctx.services.claims.expire_offer(session, int(payload["claim"]))


def default_registry() -> JobRegistry:
    registry = JobRegistry()
    registry.register("maintenance.cleanup", cleanup, stale_after=timedelta(hours=20))
    # never stale: an offer found late must still pass on, or the place stays reserved
    registry.register("claim.offer_expiry", offer_expiry)
    return registry


CALENDAR = (CalendarJob("maintenance.cleanup", time(4, 0)),)
