"""The jobs table: schedule (idempotent by key), cancel, claim due work under a lease."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import JobStatus
from storage.models import Job
from storage.repositories.upsert import insert_for

SCHEDULED = JobStatus.SCHEDULED.value
RUNNING = JobStatus.RUNNING.value


async def upsert(
    session: AsyncSession, *, kind: str, key: str, due_at: datetime, payload: dict[str, Any]
) -> None:
    """Create the job, or move an existing one with the same key to the new time and
    payload (scheduled again, unless it is running right now)."""
    table = Job.__table__
    stmt = insert_for(session, table).values(
        kind=kind, key=key, due_at=due_at, payload=payload, status=SCHEDULED, attempts=0
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "kind": kind,
            "due_at": due_at,
            "payload": payload,
            "status": SCHEDULED,
            "attempts": 0,
            "last_error": None,
            "finished_at": None,
        },
        where=table.c.status != RUNNING,
    )
    await session.execute(stmt)


async def cancel(session: AsyncSession, key: str) -> bool:
    result = await session.execute(
        update(Job)
        .where(Job.key == key, Job.status == SCHEDULED)
        .values(status=JobStatus.CANCELLED.value)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def get(session: AsyncSession, key: str) -> Job | None:
    return await session.scalar(select(Job).where(Job.key == key))


async def claim(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int
) -> list[Job]:
    """Due jobs, and running ones whose lease ran out (their process died)."""
    stmt = (
        select(Job)
        .where(
            or_(
                and_(Job.status == SCHEDULED, Job.due_at <= now),
                and_(Job.status == RUNNING, Job.lease_until < now),
            )
        )
        .order_by(Job.due_at, Job.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    jobs = list(await session.scalars(stmt))
    if jobs:
        await session.execute(
            update(Job)
            .where(Job.id.in_([j.id for j in jobs]))
            .values(status=RUNNING, lease_until=lease_until, attempts=Job.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    return jobs


async def finish(
    session: AsyncSession, job_id: int, status: str, at: datetime, error: str | None = None
) -> None:
    await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == RUNNING)
        .values(status=status, finished_at=at, lease_until=None, last_error=error)
    )


async def retry(session: AsyncSession, job_id: int, due_at: datetime, error: str) -> None:
    await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == RUNNING)
        .values(status=SCHEDULED, due_at=due_at, lease_until=None, last_error=error)
    )


async def counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Job.status, func.count()).group_by(Job.status))
    return {status: int(n) for status, n in rows.all()}


async def insert_ignore(
    session: AsyncSession, *, kind: str, key: str, due_at: datetime, payload: dict[str, Any]
) -> bool:
    """Create the job unless its key exists (in any state); True when created."""
    stmt = (
        insert_for(session, Job.__table__)
        .values(kind=kind, key=key, due_at=due_at, payload=payload, status=SCHEDULED, attempts=0)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def purge_finished(session: AsyncSession, before: datetime) -> int:
    from sqlalchemy import delete

    result = await session.execute(
        delete(Job).where(
            Job.status.in_(
                [JobStatus.DONE.value, JobStatus.DROPPED.value, JobStatus.CANCELLED.value]
            ),
            Job.finished_at < before,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
