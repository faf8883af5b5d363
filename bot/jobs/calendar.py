"""Calendar jobs ("every day at 04:00 Asia/Shanghai"): APScheduler, through PTB's
JobQueue, wakes us at the time; what runs is a durable job keyed by the occurrence
(``maintenance.cleanup:2026-11-29``), so several processes create it once, and an
occurrence missed while the bot was down is created at start and caught up by the
ticker (subject to the kind's staleness rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.kernel.clock import Clock
from storage.database import Database
from storage.repositories import jobs as jobs_repo


@dataclass(frozen=True)
class CalendarJob:
    kind: str
    at: time  # local wall time, in the configured zone

    def latest(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The most recent occurrence at or before ``now``."""
        local = now.astimezone(zone)
        today = datetime.combine(local.date(), self.at, tzinfo=zone)
        return today if today <= local else today - timedelta(days=1)

    def key(self, occurrence: datetime, zone: ZoneInfo) -> str:
        return f"{self.kind}:{occurrence.astimezone(zone).date().isoformat()}"


async def ensure_occurrence(db: Database, clock: Clock, job: CalendarJob, zone: ZoneInfo) -> bool:
    """Create the durable job for the latest occurrence if no process has; True if
    this call created it."""
    occurrence = job.latest(clock.now(), zone)
    async with db.transaction() as session:
        return await jobs_repo.insert_ignore(
            session, kind=job.kind, key=job.key(occurrence, zone), due_at=occurrence, payload={}
        )
