"""Durable jobs with an injectable clock (no sleeps): once at the due time, once after a
restart, once when the bot was down at the due time; stale kinds dropped; crashed runs
taken again when their lease runs out; several runners never run a job twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.jobs.calendar import CalendarJob, ensure_occurrence
from bot.jobs.registry import JobRegistry
from bot.jobs.runner import JobRunner
from bot.services.kernel.scheduling import DatabaseScheduler
from storage.database import Database
from storage.models import Job, OutboxMessage
from tests.support.services import FakeClock

TEN = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")


class Calls:
    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []
        self.fail_next = 0


def registry(calls: Calls, stale_after: timedelta | None = None) -> JobRegistry:
    async def remind(ctx: Any, session: AsyncSession, payload: dict[str, Any]) -> None:
        if calls.fail_next:
            calls.fail_next -= 1
            raise RuntimeError("boom")
        calls.runs.append(payload)

    reg = JobRegistry()
    reg.register("remind", remind, stale_after=stale_after)
    return reg


async def schedule(
    db: Database, clock: FakeClock, key: str = "reminder:7:24h", at: datetime = TEN
) -> None:
    async with db.transaction() as session:
        await DatabaseScheduler(clock).schedule(session, "remind", key, at, claim=7)


async def job(db: Database, key: str = "reminder:7:24h") -> Job:
    async with db.read() as session:
        row = await session.scalar(select(Job).where(Job.key == key))
    assert row is not None
    return row


async def test_runs_once_at_ten(db: Database) -> None:
    clock, calls = FakeClock(TEN - timedelta(minutes=1)), Calls()
    await schedule(db, clock)
    runner = JobRunner(db, clock, registry(calls), context=None)
    assert (await runner.tick()).ran == 0 and calls.runs == []
    clock.advance(minutes=1)
    assert (await runner.tick()).ran == 1
    assert calls.runs == [{"claim": 7}]
    clock.advance(seconds=1)
    await runner.tick()
    # a restart: a new runner (new process) on the same database
    await JobRunner(db, clock, registry(calls), context=None).tick()
    assert calls.runs == [{"claim": 7}]
    assert (await job(db)).status == "done"


async def test_bot_down_at_ten_starts_at_half_past(db: Database) -> None:
    clock, calls = FakeClock(TEN - timedelta(hours=1)), Calls()
    await schedule(db, clock)
    clock.advance(minutes=90)  # nothing ticked at 10:00
    report = await JobRunner(db, clock, registry(calls, timedelta(hours=1)), None).tick()
    assert (report.ran, report.dropped, calls.runs) == (1, 0, [{"claim": 7}])


async def test_stale_job_is_dropped_and_logged(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock, calls = FakeClock(TEN), Calls()
    await schedule(db, clock)
    clock.advance(minutes=30)
    report = await JobRunner(db, clock, registry(calls, timedelta(minutes=15)), None).tick()
    assert (report.ran, report.dropped, calls.runs) == (0, 1, [])
    assert (await job(db)).status == "dropped"
    assert "reminder:7:24h dropped" in caplog.text


async def test_rescheduling_moves_the_job_and_cancel_stops_it(db: Database) -> None:
    clock, calls = FakeClock(TEN - timedelta(hours=2)), Calls()
    await schedule(db, clock, at=TEN)
    await schedule(db, clock, at=TEN + timedelta(hours=1))  # same key: moved, not doubled
    runner = JobRunner(db, clock, registry(calls), None)
    clock.advance(hours=2)
    assert (await runner.tick()).ran == 0
    clock.advance(hours=1)
    assert (await runner.tick()).ran == 1
    await schedule(db, clock, key="reminder:8:2h", at=clock.now() + timedelta(hours=1))
    async with db.transaction() as session:
        await DatabaseScheduler(clock).cancel(session, "reminder:8:2h")
    clock.advance(hours=2)
    assert (await runner.tick()).ran == 0
    assert (await job(db, "reminder:8:2h")).status == "cancelled"


async def test_a_run_that_crashed_is_taken_again_after_its_lease(db: Database) -> None:
    from storage.repositories import jobs as jobs_repo

    clock, calls = FakeClock(TEN), Calls()
    await schedule(db, clock)
    lease = timedelta(minutes=5)
    async with db.transaction() as session:  # a process claims it, then dies
        claimed = await jobs_repo.claim(session, clock.now(), clock.now() + lease, 10)
    assert len(claimed) == 1
    runner = JobRunner(db, clock, registry(calls), None, lease=lease)
    assert (await runner.tick()).ran == 0  # still leased
    clock.advance(minutes=6)
    assert (await runner.tick()).ran == 1
    assert calls.runs == [{"claim": 7}] and (await job(db)).attempts == 2


async def test_failures_are_retried_with_backoff_then_given_up(db: Database) -> None:
    clock, calls = FakeClock(TEN), Calls()
    calls.fail_next = 1
    await schedule(db, clock)
    runner = JobRunner(db, clock, registry(calls), None, max_attempts=2)
    assert (await runner.tick()).retried == 1
    assert (await job(db)).last_error == "RuntimeError: boom"
    clock.advance(seconds=29)
    assert (await runner.tick()).ran == 0
    clock.advance(seconds=2)
    assert (await runner.tick()).ran == 1
    calls.fail_next = 5
    await schedule(db, clock, key="k2", at=clock.now())
    await runner.tick()
    clock.advance(minutes=5)
    assert (await runner.tick()).failed == 1
    assert (await job(db, "k2")).status == "failed"


async def test_the_work_and_its_messages_commit_with_done(db: Database) -> None:
    """A job that enqueues a message and then fails leaves no message behind."""
    clock = FakeClock(TEN)
    attempts = []

    async def notify(ctx: Any, session: AsyncSession, payload: dict[str, Any]) -> None:
        from bot.services.kernel.scheduling import Outgoing

        await DatabaseScheduler(clock).enqueue(
            session, f"notice:{payload['claim']}", Outgoing(chat_id=42, text="hi")
        )
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("after enqueue")

    reg = JobRegistry()
    reg.register("remind", notify)
    await schedule(db, clock)
    runner = JobRunner(db, clock, reg, None)
    await runner.tick()
    async with db.read() as session:
        assert list(await session.scalars(select(OutboxMessage))) == []
    clock.advance(minutes=1)
    await runner.tick()
    async with db.read() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert [r.dedup_key for r in rows] == ["notice:7"]


async def test_calendar_occurrence_is_created_once_and_caught_up(db: Database) -> None:
    cal = CalendarJob("remind", time(4, 0))
    clock = FakeClock(datetime(2026, 12, 3, 1, 0, tzinfo=UTC))  # 09:00 Shanghai
    assert await ensure_occurrence(db, clock, cal, SHANGHAI)
    assert not await ensure_occurrence(db, clock, cal, SHANGHAI)  # another process
    row = await job(db, "remind:2026-12-03")
    assert row.due_at == datetime(2026, 12, 2, 20, 0, tzinfo=UTC)  # 04:00 Shanghai


@pytest.mark.backends("postgresql")
async def test_concurrent_runners_run_each_job_once(db: Database) -> None:
    clock, calls = FakeClock(TEN), Calls()
    for n in range(60):
        await schedule(db, clock, key=f"k{n}")
    runners = [JobRunner(db, clock, registry(calls), None, batch=7) for _ in range(4)]
    reports = await asyncio.gather(*(r.tick() for r in runners))
    assert sum(r.ran for r in reports) == 60
    assert len(calls.runs) == 60
