"""Composition root: configuration → database → services → handlers → Application.

Nothing is built at import time; ``build_application`` wires everything for one run.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, Defaults

import handlers
from bot import background
from bot.config import Config, ConfigError
from bot.container import Services
from bot.delivery.outbox import OutboxService
from bot.logs import setup_logging
from bot.messages.notifier import MessageNotifier
from bot.runtime import event_loop
from bot.runtime.http_client import http_request
from bot.runtime.update_processor import PerUserUpdateProcessor
from bot.runtime.volunteer_bot import VolunteerBot
from bot.services.broadcasts.control import BroadcastControl
from bot.services.fanout.campaigns import CampaignService
from bot.services.grabs.claims import ClaimService
from bot.services.kernel.clock import Clock, SystemClock
from bot.services.kernel.flows import FlowService
from bot.services.kernel.scheduling import DatabaseScheduler, Scheduler
from bot.services.org.units import OrgService
from bot.services.people.coordinators import CoordinatorService
from bot.services.people.held import HeldMessages
from bot.services.people.users import UserService
from bot.services.people.volunteers import VolunteerService
from bot.services.points.amounts import tenths
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
from handlers.menus import MENUS_KEY, Menus, set_menus
from storage.database import Database
from storage.migrate import current_revision, head_revision, upgrade

log = logging.getLogger("volunteer_bot")


def build_services(
    config: Config,
    db: Database,
    clock: Clock | None = None,
    scheduler: Scheduler | None = None,
) -> Services:
    """Every service, from the configuration: the one place they are built."""
    clock = clock or SystemClock()
    scheduler = scheduler or DatabaseScheduler(clock)
    # notices to people, built in words and queued through the scheduler
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
    stars = StarService(**loop, star_hours=tuple(config.recognition.star_hours))
    services = Services(
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
            min_rate=config.points.min_rate,
            max_rate=config.points.max_rate,
            rounding=config.points.rounding,
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
        rewards=RewardService(**loop),
        redemptions=RedemptionService(**loop),
        points=PointsService(
            **loop,
            rate_per_hour=config.points.rate_per_hour,
            rounding=config.points.rounding,
            bonus_five_stars=tenths(config.points.bonus_five_stars),
            transfers=config.points.transfers,
        ),
        campaigns=CampaignService(
            db, clock, scheduler, notifier, language, page_size=config.delivery.fanout_page
        ),
        broadcasts=BroadcastControl(**loop),
        ratings=RatingService(
            **loop,
            prompt_after=timedelta(minutes=config.ratings.prompt_after_minutes),
            remind_after=timedelta(hours=config.ratings.reminder_hours),
            expire_after=timedelta(days=config.ratings.expire_days),
            alert_at_or_below=config.ratings.alert_at_or_below,
            comment_max=config.ratings.comment_max_chars,
        ),
        rankings=RankingService(db, clock, config.general.timezone, stars),
        stars=stars,
        exports=ExportService(db, clock, config.general.timezone),
        audit=AuditService(db, config.general.timezone),
        certificates=CertificateService(db, clock),
        charts=ChartService(db, clock, config.general.timezone),
    )
    services.broadcasts.channels = MappingProxyType(
        {code: unit.channel_id for code, unit in config.units.items() if unit.channel_id}
    )
    services.wire()
    return services


def build_application(
    config: Config,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
    token: str | None = None,
    run_background: bool = True,
) -> Application:  # type: ignore[type-arg]
    """The bot, ready for ``initialize``/``start`` or ``run_polling``; the database is
    expected to be migrated already (see ``prepare_database``)."""
    bot_token = token or (config.bot_token.get_secret_value() if config.bot_token else None)
    if not bot_token:
        raise ConfigError("BOT_TOKEN is not set")
    database = db or Database.from_url(
        config.database.url,
        echo=config.database.echo,
        busy_timeout_ms=config.database.busy_timeout_ms,
        pool_size=config.database.pool_size,
    )
    services = build_services(config, database, clock)
    bot = VolunteerBot(
        bot_token,
        base_url=config.telegram.base_url,
        base_file_url=config.telegram.base_file_url,
        defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=ZoneInfo(config.general.timezone)),
        # calls in flight at most (connections opened as needed): 128 answered a grab
        # storm as well as any size tried, fewer did worse (see bench/README.md,
        # section "HTTP pool size")
        request=http_request(config, pool_size=max(128, config.delivery.concurrency * 2)),
        get_updates_request=http_request(
            config,
            pool_size=1,
            read_timeout=config.telegram.poll_timeout + config.telegram.request_timeout,
        ),
    )
    app = (
        Application.builder()
        .bot(bot)
        # a grab storm is a thousand taps at once: all of them in one claim batch, not
        # four (see bench/README.md, section "One claim batch per storm")
        .concurrent_updates(PerUserUpdateProcessor(1024))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data["services"] = services
    app.bot_data[MENUS_KEY] = Menus(services.users)
    app.bot_data["config"] = config
    app.bot_data["owns_db"] = db is None
    app.bot_data["run_background"] = run_background
    handlers.register(app)
    return app


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    config: Config = app.bot_data["config"]
    # cached before the first update: a storm's winners do not wait for this read
    await app.bot_data["services"].org.load_categories()
    # nor does a storm wait for its statements to be built and compiled
    await app.bot_data["services"].warm_up()
    try:
        await set_menus(app.bot, config.general.default_language)
    except Exception:  # a menu is a nicety; the bot works without it
        log.exception("could not set the command menus")
    if app.bot_data["run_background"]:
        await background.start(app)


async def _post_stop(app: Application) -> None:  # type: ignore[type-arg]
    await app.bot_data[MENUS_KEY].drain()  # the menus being set
    await background.stop(app)


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    await app.bot_data["services"].users.flush()  # "last seen" written behind
    if app.bot_data.get("owns_db"):
        await app.bot_data["services"].db.dispose()


async def start_polling(app: Application, poll_timeout: int = 10) -> None:  # type: ignore[type-arg]
    """Start a built application inside a running event loop, as ``run_polling`` does
    (including ``post_init``, which PTB calls only from its own runners)."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)


async def stop_polling(app: Application) -> None:  # type: ignore[type-arg]
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


async def prepare_database(config: Config, db: Database) -> None:
    """Before the bot starts: migrations (SQLite is upgraded automatically; PostgreSQL
    must be upgraded by the operator with ``volunteer-bot db upgrade``), the org file,
    and the admins from the config."""
    if db.dialect == "sqlite":
        await upgrade(db.engine)
    elif await current_revision(db.engine) != head_revision():
        raise ConfigError(
            "the database schema is not up to date: run `volunteer-bot db upgrade` first"
        )
    services = build_services(config, db)
    org_file = Path(config.org.file)
    if config.org.import_on_start and org_file.exists():
        report = await services.org.import_file(org_file)
        log.info("org file %s: %s created, %s updated", org_file, report.created, report.updated)
    if config.admins.telegram_ids:
        unit = config.admins.unit or await _root_code(services)
        for telegram_id in config.admins.telegram_ids:
            bound = await services.coordinators.add_admin(telegram_id, unit, label="config")
            if not bound.opened_bot:
                log.warning(NOT_OPENED, telegram_id)


NOT_OPENED = (
    "admin %s has not opened the bot yet: a bot cannot write first, so their notices are "
    "held until they open it and send /start once"
)


async def _root_code(services: Services) -> str:
    roots = await services.org.roots()
    if len(roots) != 1:
        raise ConfigError("[admins] unit: set it (the org has no single district unit)")
    return roots[0].code


async def _prepare(config: Config) -> None:
    db = Database.from_url(config.database.url)
    try:
        await prepare_database(config, db)
    finally:
        await db.dispose()


def run(config: Config) -> None:
    """Run the bot with long polling against ``[telegram] base_url`` until stopped."""
    setup_logging(config.general.log_level)
    # uvloop where installed (bot.runtime.event_loop): PTB runs on the loop set as current
    loop = event_loop.new_event_loop()
    loop.run_until_complete(_prepare(config))
    app = build_application(config)
    log.info("polling %s (%s)", config.telegram.base_url, event_loop.loop_name(loop))
    app.run_polling(
        timeout=config.telegram.poll_timeout,
        drop_pending_updates=config.telegram.drop_pending_updates,
        allowed_updates=Update.ALL_TYPES,
    )


def run_with_sandbox(config: Config) -> None:
    """The local demo: the Bot API emulator and the bot against it, in one process."""
    setup_logging(config.general.log_level)
    event_loop.run(_sandbox_main(config))


async def _sandbox_main(config: Config) -> None:
    from sandbox import Sandbox

    sandbox = Sandbox()
    await sandbox.start(host=config.sandbox.host, port=config.sandbox.port)
    local = config.model_copy(
        update={
            "telegram": config.telegram.model_copy(
                update={"base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url}
            )
        }
    )
    await _prepare(local)
    app = build_application(local, token=sandbox.token)
    print(
        f"Sandbox mode (no BOT_TOKEN): the bot talks to the local Bot API emulator at "
        f"{sandbox.url}, not to Telegram.\n"
        f"Drive a user from Python: from sandbox.client import SandboxClient; "
        f"c = SandboxClient({sandbox.url!r}); u = c.user(1001, first_name='王芳'); "
        f"u.send('/start'); u.messages()\nCtrl+C stops."
    )
    stop = asyncio.Event()
    try:
        await start_polling(app)
        try:
            await _wait_for_signal(stop)
        finally:
            await stop_polling(app)
    finally:
        await sandbox.stop()


async def _wait_for_signal(stop: asyncio.Event) -> None:
    import signal

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
