"""Grab storm: N approved volunteers tap "Grab" on one order with P places, all at once.

The taps are real Telegram updates: the sandbox (its own process) delivers each
volunteer's press of the Grab button on the announcement the bot sent them; the bench
collects them with getUpdates and hands all of them at once to the real Application the
way its polling loop does — through its update processor (per-user order, at most 1024 at
once) to ``process_update`` (handlers, services, database, and the bot's answers over
HTTP to the sandbox through the production HTTP client). The baseline is the same claim
as bare SQL statements on the same driver and database, one transaction per tap, all at
once (the database's limit). The volunteers are known to the bot under the names their
updates carry (as after registering through it), and the application is started as
PTB's runners start it (``post_init`` included: the category cache is warm).

    .venv/bin/python bench/grab_storm.py --backend sqlite --volunteers 1000 --places 20
    .venv/bin/python bench/grab_storm.py --backend postgresql --volunteers 1000 --places 20 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

Prints one JSON line: backend, volunteers, places, winners, overbooked, double_places,
answered, p50_ms, p99_ms (from the moment all taps are handed over to the end of each
tap's ``process_update``: the answer, and for a winner the message with the place),
taps_per_s, baseline_taps_per_s, ratio; waitlist_offers (the losers' pressed messages
edited to offer the waitlist — a follow-up after their answer) and follow_ups_done_ms
(when the last of those edits was done); bot_cpu_s and sandbox_cpu_s (CPU seconds
of the bot's process and of the sandbox from the storm's start to the follow-ups' end);
bot_cpu_answers_s, loop_cpu_answers_s and sandbox_cpu_answers_s (the same until the last
tap's handling ended, before the follow-ups; ``loop_``: the event loop's thread alone);
loop (the event loop of both processes: ``uvloop``, or ``asyncio`` where uvloop is not
installed or ``VOLUNTEER_BOT_LOOP=asyncio`` is set).
``--profile FILE`` writes cProfile statistics of the storm.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, update
from telegram import Bot, Update

from bot.app import build_application, build_services, prepare_database
from bot.config import Config, load_config
from bot.container import Services
from bot.delivery.sender import Sender
from bot.delivery.telegram_transport import TelegramTransport
from bot.runtime.event_loop import loop_name
from bot.runtime.event_loop import run as run_loop
from bot.runtime.http_client import http_request
from bot.runtime.update_processor import PerUserUpdateProcessor
from bot.services.requests.forms import OrderForm
from bot.services.requests.publish import Publication
from sandbox.client import SandboxClient
from sandbox.process import SandboxProcess
from storage.database import Database
from storage.enums import ApprovalState, ClaimState
from storage.models import Claim, Order, User, VolunteerProfile

ROOT = Path(__file__).resolve().parents[1]
COMMUNITY = "longyang.longhudongan"
FIRST_ID = 7_000_000
COORDINATOR_ID = 6_999_999


def database_url(args: argparse.Namespace) -> tuple[str, str | None]:
    """A fresh database for this run: (url, PostgreSQL database to drop afterwards)."""
    if args.backend == "sqlite":
        return f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/storm.db", None
    admin = args.database_url or os.environ.get("TEST_POSTGRES_URL", "")
    if not admin:
        raise SystemExit("--database-url (or TEST_POSTGRES_URL) is needed for postgresql")
    from tests.support.database import fresh_postgres_database

    return fresh_postgres_database(admin)


async def add_volunteers(db: Database, community_id: int, n: int) -> list[int]:
    now = datetime.now(UTC)
    async with db.transaction() as session:
        rows = (
            (
                await session.execute(
                    insert(User).returning(User.id, sort_by_parameter_order=True),
                    [
                        {
                            "telegram_id": FIRST_ID + i,
                            # the name the sandbox's updates carry, as for volunteers who
                            # registered through the bot: a tap writes no name, only the
                            # "last seen" (behind)
                            "first_name": f"User {FIRST_ID + i}",
                            "community_id": community_id,
                            "language": "zh_CN",
                        }
                        for i in range(n)
                    ],
                )
            )
            .scalars()
            .all()
        )
        await session.execute(
            insert(VolunteerProfile),
            [
                {
                    "user_id": uid,
                    "real_name": f"志愿者{uid}",
                    "phone": "+8613800138000",
                    "community_id": community_id,
                    "consent_at": now,
                    "status": ApprovalState.APPROVED.value,
                }
                for uid in rows
            ],
        )
    return list(rows)


async def open_order(services: Services, places: int) -> int:
    community = await services.org.unit_by_code(COMMUNITY)
    assert community is not None
    await services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="bench")
    boss = await services.users.get(COORDINATOR_ID)
    starts = datetime.now(UTC) + timedelta(days=2)
    form = OrderForm(
        category="elderly_visit",
        description="浓情重阳节·温暖志愿行",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        community_id=community.id,
        address="龙湖东岸社区活动室",
        contact_phone="13800138000",
        helpers_requested=places,
    )
    order = await services.orders.create_activity(boss, form, Publication(places=places))
    return order.id


async def baseline(db: Database, order_id: int, volunteer_ids: list[int]) -> float:
    """The same claim as bare statements, one transaction per tap, all at once."""

    async def tap(volunteer_id: int) -> None:
        now = datetime.now(UTC)
        async with db.transaction() as session:
            taken = (
                await session.execute(
                    update(Order)
                    .where(Order.id == order_id, Order.taken < Order.places)
                    .values(taken=Order.taken + 1)
                    .returning(Order.taken)
                )
            ).scalar()
            if taken is None:
                return
            await session.execute(
                insert(Claim).values(
                    order_id=order_id,
                    volunteer_id=volunteer_id,
                    state=ClaimState.CLAIMED.value,
                    joined_at=now,
                    created_at=now,
                    late_cancel=False,
                )
            )

    started = time.perf_counter()
    await asyncio.gather(*(tap(v) for v in volunteer_ids))
    return len(volunteer_ids) / (time.perf_counter() - started)


async def collect_taps(
    sb: SandboxProcess, config: Config, volunteers: int, order_id: int
) -> list[Update]:
    client = SandboxClient(sb.url, timeout=60)

    def press(i: int) -> None:
        client.call(
            "POST",
            f"/sandbox/users/{FIRST_ID + i}/callback",
            {"message_id": 1, "data": f"gr:{order_id}"},
        )

    # every press made in the same instant of the sandbox's clock, which runs again when
    # the storm starts (``unfreeze``): the 15 s answer window counts from there, not from
    # a press made seconds before the bench handed it over (pressing takes a while)
    client.freeze_clock(True)
    started = time.perf_counter()
    await asyncio.gather(*(asyncio.to_thread(press, i) for i in range(volunteers)))
    print(f"pressed in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    updates: list[Update] = []
    bot = Bot(
        sb.token,
        base_url=sb.base_url,
        request=http_request(config, 4),
        get_updates_request=http_request(config, 1),
    )
    async with bot:
        offset = 0
        while len(updates) < volunteers:
            batch = await bot.get_updates(
                offset=offset, limit=100, timeout=5, allowed_updates=["callback_query"]
            )
            if not batch:
                break
            updates += batch
            offset = batch[-1].update_id + 1
        await bot.get_updates(offset=offset, timeout=0)
    print(f"pressed and collected in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return updates


async def run(args: argparse.Namespace, sb: SandboxProcess, url: str) -> dict[str, object]:
    config = load_config(
        environ={"BOT_TOKEN": sb.token},
        overrides={
            "database": {"url": url},
            "org": {"file": str(ROOT / "orgs.example.toml")},
            "telegram": {"base_url": sb.base_url, "base_file_url": sb.base_file_url},
            "delivery": {"rate_per_s": 1000, "per_chat_per_s": 30, "concurrency": 64},
        },
    )
    db = Database.from_url(url, pool_size=40)
    try:
        if db.dialect != "sqlite":
            from storage.migrate import upgrade

            await upgrade(db.engine)
        await prepare_database(config, db)
        services = build_services(config, db)
        community = await services.org.unit_by_code(COMMUNITY)
        assert community is not None
        volunteer_ids = await add_volunteers(db, community.id, args.volunteers)
        order_id = await open_order(services, args.places)

        # the announcements (with the Grab button) reach every volunteer first: the
        # fan-out writes their outbox rows (after the publishing commit), the sender sends
        await services.campaigns.materialise()
        bot = Bot(sb.token, base_url=sb.base_url, request=http_request(config, 128))
        async with bot:
            await Sender(services.outbox, TelegramTransport(bot), config.delivery).drain()
        app = build_application(config, db=db, token=sb.token, run_background=False)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)  # as PTB's runners do (the category cache warmed)
        # pressed once the bot is ready (as the taps of the opening second meet a bot
        # that runs already)
        taps = await collect_taps(sb, config, args.volunteers, order_id)
        # bound to the application's bot (getUpdates bound them to the collecting one)
        taps = [Update.de_json(u.to_dict(), app.bot) for u in taps]
        latencies: list[float] = []
        SandboxClient(sb.url).freeze_clock(False)  # the taps were all made just now
        sandbox_cpu, own_cpu = sb.cpu_seconds(), time.process_time()
        loop_cpu = time.thread_time()
        started = time.perf_counter()

        async def handle(update: Update) -> None:
            await app.update_processor.process_update(update, app.process_update(update))
            latencies.append(time.perf_counter() - started)

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        await asyncio.gather(*(handle(u) for u in taps))
        elapsed = time.perf_counter() - started
        storm_cpu = time.process_time() - own_cpu, sb.cpu_seconds() - sandbox_cpu
        loop_cpu = time.thread_time() - loop_cpu
        # what the handlers handed off after answering (the losers' waitlist offers)
        processor = app.update_processor
        if isinstance(processor, PerUserUpdateProcessor):
            await processor.drain()
        follow_ups_done = time.perf_counter() - started
        sandbox_cpu, own_cpu = sb.cpu_seconds() - sandbox_cpu, time.process_time() - own_cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)  # as PTB's runners do ("last seen" written)

        async with db.read() as session:
            winners = await session.scalar(
                select(func.count(func.distinct(Claim.volunteer_id))).where(
                    Claim.order_id == order_id, Claim.state == ClaimState.CLAIMED.value
                )
            )
            claimed = await session.scalar(
                select(func.count()).where(
                    Claim.order_id == order_id, Claim.state == ClaimState.CLAIMED.value
                )
            )
            taken = await session.scalar(select(Order.taken).where(Order.id == order_id))
        requests = SandboxClient(sb.url).call(
            "GET", "/sandbox/requests", method="answerCallbackQuery"
        )
        answered = len({r["params"].get("callback_query_id") for r in requests if r.get("ok")})
        edits = SandboxClient(sb.url).call("GET", "/sandbox/requests", method="editMessageText")
        waitlist_offers = sum(1 for r in edits if r.get("ok") and "gw:" in str(r["params"]))

        baseline_order = await open_order(services, args.places)  # a twin order
        baseline_rate = await baseline(db, baseline_order, volunteer_ids)
    finally:
        await db.dispose()

    loop = loop_name(asyncio.get_running_loop())
    latencies.sort()
    taps_per_s = len(taps) / elapsed
    return {
        "backend": args.backend,
        "volunteers": args.volunteers,
        "places": args.places,
        "winners": int(winners or 0),
        "overbooked": max(0, int(taken or 0) - args.places),
        "double_places": int(claimed or 0) - int(winners or 0),
        "answered": answered,
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1),
        "taps_per_s": round(taps_per_s, 1),
        "baseline_taps_per_s": round(baseline_rate, 1),
        "ratio": round(taps_per_s / baseline_rate, 3),
        # the losers' pressed messages edited to offer the waitlist, after the answers
        "waitlist_offers": waitlist_offers,
        "follow_ups_done_ms": round(1000 * follow_ups_done, 1),
        # CPU seconds during the storm: the bot's process and the sandbox's
        "bot_cpu_s": round(own_cpu, 2),
        "sandbox_cpu_s": round(sandbox_cpu, 2),
        # the same until the last tap's handling ended (the answers, before the follow-ups)
        "bot_cpu_answers_s": round(storm_cpu[0], 2),
        # of which the event loop's thread (the rest: the database's and the HTTP client's)
        "loop_cpu_answers_s": round(loop_cpu, 2),
        "sandbox_cpu_answers_s": round(storm_cpu[1], 2),
        # the bot's event loop (bot.runtime.event_loop: uvloop unless VOLUNTEER_BOT_LOOP=asyncio;
        # the sandbox's process runs on the same kind)
        "loop": loop,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--volunteers", type=int, default=1000)
    parser.add_argument("--places", type=int, default=20)
    parser.add_argument(
        "--database-url",
        default="",
        help="postgresql: a server URL (a fresh database is made beside it)",
    )
    parser.add_argument(
        "--profile", default="", help="write cProfile stats of the storm to this file"
    )
    args = parser.parse_args()
    with SandboxProcess(
        "--open-chats", "--log-limit", str(args.volunteers * 6), stderr=subprocess.DEVNULL
    ) as sb:
        # made and dropped outside the benchmark's event loop (the helpers run their own)
        url, pg_name = database_url(args)
        try:
            result = run_loop(run(args, sb, url))
        finally:
            if pg_name is not None:
                from tests.support.database import drop_postgres_database

                admin = args.database_url or os.environ["TEST_POSTGRES_URL"]
                drop_postgres_database(admin, pg_name)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
