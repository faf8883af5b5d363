"""The ticker: claims due jobs under a lease and runs them, once.

Several processes may tick against one database: PostgreSQL hands each due row to one
of them (``FOR UPDATE SKIP LOCKED``), SQLite serialises the claims (``BEGIN
IMMEDIATE``). A job whose process died mid-run is claimed again when its lease runs
out. A job that fell due while nobody ticked runs at the first tick after start,
unless its kind says it is stale by then (dropped and logged).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.jobs.registry import JobRegistry
from bot.services.kernel.clock import Clock
from storage.database import Database
from storage.enums import JobStatus
from storage.repositories import jobs as jobs_repo

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)


@dataclass
class TickReport:
    ran: int = 0
    dropped: int = 0
    failed: int = 0
    retried: int = 0


class JobRunner:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        registry: JobRegistry,
        context: Any,
        *,
        lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 5,
        batch: int = 50,
    ) -> None:
        self.db = db
        self.clock = clock
        self.registry = registry
        self.context = context
        self.lease = lease
        self.max_attempts = max_attempts
        self.batch = batch

    async def tick(self) -> TickReport:
        """Run every job that is due now (in batches until none is left)."""
        report = TickReport()
        while True:
            now = self.clock.now()
            async with self.db.transaction() as session:
                jobs = await jobs_repo.claim(session, now, now + self.lease, self.batch)
                claimed = [
                    (j.id, j.kind, j.key, j.due_at, dict(j.payload), j.attempts + 1) for j in jobs
                ]
            for job in claimed:
                await self._run(report, *job)
            if len(claimed) < self.batch:
                return report

    async def _run(
        self,
        report: TickReport,
        job_id: int,
        kind_name: str,
        key: str,
        due_at: Any,
        payload: dict[str, Any],
        attempt: int,
    ) -> None:
        kind = self.registry.kind(kind_name)
        now = self.clock.now()
        if kind is None:
            log.error("job %s: unknown kind %r", key, kind_name)
            await self._finish(job_id, JobStatus.FAILED, f"unknown kind {kind_name!r}")
            report.failed += 1
            return
        if kind.stale_after is not None and now - due_at > kind.stale_after:
            log.warning(
                "job %s dropped: due %s, found at %s (stale after %s)",
                key,
                due_at.isoformat(),
                now.isoformat(),
                kind.stale_after,
            )
            await self._finish(job_id, JobStatus.DROPPED, f"stale: due {due_at.isoformat()}")
            report.dropped += 1
            return
        try:
            # the job's own changes (and the messages it enqueues) commit together with
            # its "done": a crash before the commit leaves it to be claimed again
            async with self.db.transaction() as session:
                await kind.handler(self.context, session, payload)
                await jobs_repo.finish(session, job_id, JobStatus.DONE.value, self.clock.now())
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"[:300]
            if attempt >= self.max_attempts:
                log.exception("job %s failed for good after %d attempts", key, attempt)
                await self._finish(job_id, JobStatus.FAILED, reason)
                report.failed += 1
            else:
                log.exception("job %s failed (attempt %d); will retry", key, attempt)
                delay = min(timedelta(seconds=30 * 2 ** (attempt - 1)), MAX_BACKOFF)
                async with self.db.transaction() as session:
                    await jobs_repo.retry(session, job_id, self.clock.now() + delay, reason)
                report.retried += 1
            return
        report.ran += 1

    async def _finish(self, job_id: int, status: JobStatus, error: str | None = None) -> None:
        async with self.db.transaction() as session:
            await jobs_repo.finish(session, job_id, status.value, self.clock.now(), error)
