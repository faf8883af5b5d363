"""What runs beside the handlers: the outbox sender, the fan-out, broadcasts' progress
rounds and the durable-job ticker, started after the bot is initialised and stopped
before it shuts down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram.ext import Application, ContextTypes

from bot.config import Config
from bot.container import Services
from bot.delivery.fanout import Fanout
from bot.delivery.progress_rounds import progress_rounds
from bot.delivery.sender import Sender
from bot.delivery.telegram_transport import TelegramTransport
from bot.jobs.calendar import CalendarJob, ensure_occurrence
from bot.jobs.kinds import CALENDAR, JobContext, default_registry
from bot.jobs.runner import JobRunner

log = logging.getLogger(__name__)

SENDER = "sender"
SENDER_TASK = "sender_task"
FANOUT = "fanout"
FANOUT_TASK = "fanout_task"
PROGRESS_TASK = "progress_task"
RUNNER = "job_runner"


def sender_of(app: Application) -> Sender | None:  # type: ignore[type-arg]
    return app.bot_data.get(SENDER)  # type: ignore[no-any-return]


async def start(app: Application) -> None:  # type: ignore[type-arg]
    config: Config = app.bot_data["config"]
    services: Services = app.bot_data["services"]
    sender = Sender(
        services.outbox,
        TelegramTransport(app.bot, allow_paid_broadcast=config.delivery.paid_broadcast),
        config.delivery,
    )
    app.bot_data[SENDER] = sender
    app.bot_data[SENDER_TASK] = asyncio.create_task(sender.run(), name="outbox-sender")
    # campaigns' recipients into the outbox, a page at a time; each page wakes the sender
    fanout = Fanout(services.campaigns, config.delivery.poll_seconds, on_page=sender.wake)
    app.bot_data[FANOUT] = fanout
    app.bot_data[FANOUT_TASK] = asyncio.create_task(fanout.run(), name="outbox-fanout")
    # broadcasts' progress messages (unchanged ones are not edited)
    rounds = progress_rounds(services.broadcasts, config.broadcasts.progress_every_s, sender.wake)
    app.bot_data[PROGRESS_TASK] = asyncio.create_task(rounds, name="broadcast-progress")

    runner = JobRunner(
        services.db,
        services.clock,
        default_registry(),
        JobContext(services.clock, services),
        lease=timedelta(seconds=config.jobs.lease_seconds),
        max_attempts=config.jobs.max_attempts,
    )
    app.bot_data[RUNNER] = runner
    zone = ZoneInfo(config.general.timezone)
    queue = app.job_queue
    assert queue is not None, "python-telegram-bot[job-queue] is required"
    for job in CALENDAR:
        await ensure_occurrence(services.db, services.clock, job, zone)  # catch up
        queue.run_daily(
            _calendar_callback(job, zone),
            time=job.at.replace(tzinfo=zone),
            name=f"calendar:{job.kind}",
        )
    queue.run_repeating(
        _tick,
        interval=config.jobs.tick_seconds,
        first=0.0,
        name="jobs:tick",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def stop(app: Application) -> None:  # type: ignore[type-arg]
    for name in (PROGRESS_TASK, FANOUT_TASK, SENDER_TASK):
        task: asyncio.Task[None] | None = app.bot_data.pop(name, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    runner: JobRunner = context.application.bot_data[RUNNER]
    report = await runner.tick()
    if report.ran or report.dropped or report.failed:
        log.info("jobs: %s", report)


def _calendar_callback(job: CalendarJob, zone: ZoneInfo):  # type: ignore[no-untyped-def]
    async def create(context: ContextTypes.DEFAULT_TYPE) -> None:
        services: Services = context.application.bot_data["services"]
        await ensure_occurrence(services.db, services.clock, job, zone)
        await context.application.bot_data[RUNNER].tick()

    return create


def wake_sender(app: Application) -> None:  # type: ignore[type-arg]
    """After a unit of work that enqueued messages (or started a campaign: an order
    published): deliver now, not at the next poll."""
    sender = sender_of(app)
    if sender is not None:
        sender.wake()
    fanout: Fanout | None = app.bot_data.get(FANOUT)
    if fanout is not None:
        fanout.wake()
