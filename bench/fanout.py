"""Fan-out bench (issue 15): a coordinator's activity announced to N volunteers (123,000:
Hanyang's size), with a grab storm on it while its recipients are being written.

1. N approved volunteers in one community of the example org (龙湖东岸), inserted in
   bulk — three large INSERTs for 123,000, not registration — by a child process
   (``--seed``), so that the seeding's memory is not in the bench's peak RSS.
2. Start-up as the bot's: migrated, the org imported, a coordinator (an admin of the
   community), the grab statements warmed up (``post_init``), ``gc.freeze()`` and the
   collector's thresholds (bot/runtime/gc_tuning.py, as the update processor does).
3. The coordinator's send: ``services.orders.create_activity`` (what /activity's
   "publish" calls), timed from the call to its return (``send_answered_ms``; it
   commits the order and its campaign, one row however large the audience).
4. At once: the fan-out (bot/delivery/fanout.py ``Fanout.drain()``, the campaign's
   recipients written to the outbox a keyset page of ``[delivery] fanout_page`` at a
   time) run to completion (``fanout_s``); and ``--tappers`` volunteers (the first the
   first page tells) grabbing one of ``--places`` places, all at the same moment
   (``--storm-at S``: S seconds into the fan-out instead), through the grab service
   (``services.claims.grab``, what the Grab button's handler calls: its batching, its
   reads, its write transaction) — not through Telegram updates and the Application
   (no update processor, so no burst GC pause; bench/grab_storm.py measures that
   path). Each grab's latency from the storm's start to its answer: ``grab_p50_ms`` /
   ``grab_p99_ms``. The outbox sender does not run: nothing is sent.

Every write unit of work (``Database.transaction()``) during the fan-out and the storm
is timed from the moment it holds the write lock (SQLite: the process's write lock,
then BEGIN IMMEDIATE at its first statement; PostgreSQL: its BEGIN at its first
statement) to the end of its commit, the event loop's other work while it waits
included (it holds the lock all that time): ``longest_write_ms``, ``write_p99_ms``,
``writes``; by who made it: ``longest_page_write_ms`` (the fan-out's pages) and
``longest_other_write_ms`` (the grabs' and anything else's). ``--trace`` prints each
one to stderr as it ends. ``peak_rss_mb``: ``ru_maxrss`` of the bench's own process
(start-up, the send, the fan-out and the storm; not the seeding child).

    .venv/bin/python bench/fanout.py --volunteers 123000
    .venv/bin/python bench/fanout.py --backend postgresql --volunteers 123000 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

Prints one JSON line: backend, volunteers, send_answered_ms, fanout_s, pages,
longest_write_ms, write_p99_ms, writes, longest_page_write_ms, longest_other_write_ms,
peak_rss_mb, grab_taps, winners, grab_outcomes (claimed / SlotsFull …), grab_p50_ms,
grab_p99_ms, grabs_done_ms, outbox_rows (the announcement's rows: must equal
volunteers), bench_cpu_s (the process's CPU seconds from the send's return to the
fan-out's end), seed_s. Goals (issue 15): send answered ≤ 1 s, no write transaction
over 100 ms, fan-out ≤ 30 s, peak RSS ≤ 300 MB, grab p99 ≤ 500 ms. ``--profile FILE``
writes cProfile statistics of the fan-out and the storm.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import String, cast, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.grab_storm import COMMUNITY, database_url
from bot.app import build_services, prepare_database
from bot.config import Config, load_config
from bot.delivery.fanout import Fanout
from bot.runtime.event_loop import run as run_loop
from bot.runtime.gc_tuning import freeze_start_up_objects
from bot.services.kernel.dto import UserDTO
from bot.services.kernel.errors import DomainError
from bot.services.requests.forms import OrderForm
from bot.services.requests.publish import Publication
from storage.database import Database, create_engine
from storage.enums import ApprovalState, ClaimState
from storage.models import Claim, OrgUnit, OutboxMessage, User, VolunteerProfile
from storage.types import UTCDateTime

ROOT = Path(__file__).resolve().parents[1]
FIRST_ID = 10_000_000  # the volunteers' Telegram ids
COORDINATOR_ID = 9_999_999
SEED_CHUNK = 41_000  # volunteers per seeding transaction (123,000: three)
FANOUT_TASK = "bench-fanout"


class TimedDatabase(Database):
    """A Database whose write units of work are timed while ``recording``: from the
    moment one holds the write lock to the end of its commit (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recording = False
        self.trace = False  # each write to stderr as it ends (s since ``origin``)
        self.origin = 0.0
        self.writes: list[tuple[str, float]] = []  # (who, ms)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        began = 0.0
        try:
            async with super().transaction() as session:
                began = time.perf_counter()
                yield session
        finally:
            if began and self.recording:
                task = asyncio.current_task()
                who = "fanout" if task is not None and task.get_name() == FANOUT_TASK else "other"
                self.writes.append((who, (time.perf_counter() - began) * 1000))
                if self.trace:
                    at = began - self.origin
                    print(
                        f"write {who} at {at:.3f} s: {self.writes[-1][1]:.1f} ms", file=sys.stderr
                    )


def bench_config(url: str, page: int | None = None) -> Config:
    overrides: dict[str, dict[str, object]] = {
        "database": {"url": url},
        "org": {"file": str(ROOT / "orgs.example.toml")},
    }
    if page is not None:  # [delivery] fanout_page
        overrides["delivery"] = {"fanout_page": page}
    return load_config(environ={}, overrides=overrides)


async def seed(url: str, n: int) -> None:
    """N approved volunteers of COMMUNITY, a few bulk INSERTs (``--seed``, a child)."""
    db = Database.from_url(url)
    now = datetime.now(UTC)
    try:
        async with db.read() as session:
            community = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == COMMUNITY))
        assert community is not None
        for start in range(0, n, SEED_CHUNK):
            ids = range(FIRST_ID + start, FIRST_ID + min(n, start + SEED_CHUNK))
            async with db.transaction() as session:
                await session.execute(
                    insert(User),
                    [
                        {
                            "telegram_id": tid,
                            "first_name": f"V{tid}",
                            "language": "zh_CN",
                            "community_id": community,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for tid in ids
                    ],
                )
                stamp = literal(now, UTCDateTime())
                profiles = select(
                    User.id,
                    literal("志愿者") + cast(User.telegram_id, String),
                    literal("+8613800138000"),
                    literal(False),
                    literal(community),
                    stamp,
                    literal(ApprovalState.APPROVED.value),
                    stamp,
                    stamp,
                ).where(User.telegram_id >= ids.start, User.telegram_id < ids.stop)
                columns = [
                    "user_id",
                    "real_name",
                    "phone",
                    "phone_verified",
                    "community_id",
                    "consent_at",
                    "status",
                    "created_at",
                    "updated_at",
                ]
                await session.execute(
                    insert(VolunteerProfile).from_select(columns, profiles, include_defaults=False)
                )
    finally:
        await db.dispose()


async def bench(args: argparse.Namespace, url: str) -> dict[str, Any]:
    config = bench_config(url, args.page)
    db = TimedDatabase(
        create_engine(
            url,
            busy_timeout_ms=config.database.busy_timeout_ms,
            pool_size=config.database.pool_size,
        )
    )
    try:
        if db.dialect != "sqlite":
            from storage.migrate import upgrade

            await upgrade(db.engine)
        await prepare_database(config, db)
        began = time.perf_counter()
        child = [sys.executable, __file__, "--seed", url, "--volunteers", str(args.volunteers)]
        await asyncio.to_thread(subprocess.run, child, check=True)
        seed_s = time.perf_counter() - began

        services = build_services(config, db)
        community = await services.org.unit_by_code(COMMUNITY)
        assert community is not None
        await services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="bench")
        boss = await services.users.get(COORDINATOR_ID)
        assert boss is not None
        await services.claims.warm_up()  # as post_init does
        crowd: list[UserDTO] = []
        for i in range(args.tappers):
            volunteer = await services.users.get(FIRST_ID + i)
            assert volunteer is not None
            crowd.append(volunteer)

        # as the bot's process is once started (its update processor's initialize): what
        # start-up made frozen, the collector's thresholds raised
        freeze_start_up_objects()

        starts = datetime.now(UTC) + timedelta(days=2)
        form = OrderForm(
            category="elderly_visit",
            description="浓情重阳节·温暖志愿行",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            community_id=community.id,
            address="龙湖东岸社区活动室",
            contact_phone="13800138000",
            helpers_requested=args.places,
        )
        db.recording = True
        sent = time.perf_counter()
        order = await services.orders.create_activity(boss, form, Publication(places=args.places))
        send_answered = time.perf_counter() - sent
        db.writes.clear()  # the send's own transaction is not the fan-out's

        pages = 0

        def on_page() -> None:  # a page written (where the bot wakes its sender)
            nonlocal pages
            pages += 1

        fanout = Fanout(services.campaigns, config.delivery.poll_seconds, on_page=on_page)
        latencies: list[float] = []
        outcomes: dict[str, int] = {}

        async def tap(volunteer: UserDTO, storm_started: float) -> None:
            try:
                await services.claims.grab(volunteer, order.id)
                outcome = "claimed"
            except DomainError as exc:  # an answer too (SlotsFull for most)
                outcome = type(exc).__name__
            latencies.append(time.perf_counter() - storm_started)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

        async def storm() -> float:
            if args.storm_at:
                await asyncio.sleep(args.storm_at)
            storm_started = time.perf_counter()
            await asyncio.gather(*(tap(v, storm_started) for v in crowd))
            return time.perf_counter() - storm_started

        async def fan_out() -> float:
            await fanout.drain()
            return time.perf_counter() - started

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        db.trace = args.trace
        cpu = time.process_time()
        started = db.origin = time.perf_counter()
        fanning = asyncio.create_task(fan_out(), name=FANOUT_TASK)
        grabs_done = await storm()
        fanout_s = await fanning
        cpu = time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        db.recording = False
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        async with db.read() as session:
            winners = await session.scalar(
                select(func.count()).where(
                    Claim.order_id == order.id, Claim.state == ClaimState.CLAIMED.value
                )
            )
            outbox_rows = await session.scalar(
                select(func.count()).where(OutboxMessage.dedup_key.like(f"publish:{order.id}:%"))
            )
    finally:
        await db.dispose()

    writes = sorted(ms for _, ms in db.writes)
    latencies.sort()
    return {
        "backend": args.backend,
        "volunteers": args.volunteers,
        "send_answered_ms": round(1000 * send_answered, 1),
        "fanout_s": round(fanout_s, 2),
        "pages": pages,
        "longest_write_ms": round(writes[-1], 1),
        "write_p99_ms": round(writes[int(0.99 * (len(writes) - 1))], 1),
        "writes": len(writes),
        "longest_page_write_ms": round(max(ms for who, ms in db.writes if who == "fanout"), 1),
        "longest_other_write_ms": round(
            max((ms for who, ms in db.writes if who != "fanout"), default=0.0), 1
        ),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "grab_taps": len(latencies),
        "winners": int(winners or 0),
        "grab_outcomes": outcomes,
        "grab_p50_ms": round(1000 * statistics.median(latencies), 1),
        "grab_p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1),
        "grabs_done_ms": round(1000 * grabs_done, 1),
        "outbox_rows": int(outbox_rows or 0),
        "bench_cpu_s": round(cpu, 2),
        "seed_s": round(seed_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--volunteers", type=int, default=123_000)
    parser.add_argument("--places", type=int, default=20)
    parser.add_argument("--tappers", type=int, default=1000)
    parser.add_argument(
        "--database-url",
        default="",
        help="postgresql: a server URL (a fresh database is made beside it)",
    )
    parser.add_argument(
        "--storm-at",
        type=float,
        default=0.0,
        help="start the grab storm this many seconds into the fan-out (default: at once)",
    )
    parser.add_argument(
        "--page", type=int, default=None, help="[delivery] fanout_page (default: the config's)"
    )
    parser.add_argument("--trace", action="store_true", help="each write to stderr")
    parser.add_argument("--profile", default="", help="write cProfile stats to this file")
    parser.add_argument("--seed", default="", help=argparse.SUPPRESS)  # the child: a URL
    args = parser.parse_args()
    if args.seed:
        asyncio.run(seed(args.seed, args.volunteers))
        return
    # made and dropped outside the benchmark's event loop (the helpers run their own)
    url, pg_name = database_url(args)
    try:
        result = run_loop(bench(args, url))
    finally:
        if pg_name is not None:
            from tests.support.database import drop_postgres_database

            drop_postgres_database(args.database_url or os.environ["TEST_POSTGRES_URL"], pg_name)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
