"""Scale bench (issue 16): a database at Hanyang's scale — 116 communities in 11 streets,
7 specialty teams, N approved volunteers, a year of completed orders and M earn
movements with a realistic skew (bench/scale_fill.py says how) — and the read paths of
the passbook and the leaderboards timed through the real services on it.

    .venv/bin/python bench/scale.py --volunteers 123000 --ledger 1000000
    .venv/bin/python bench/scale.py --backend postgresql --volunteers 123000 \\
        --ledger 1000000 --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

A fresh database (SQLite: a temporary file; PostgreSQL: a database made beside the one
``--database-url`` or TEST_POSTGRES_URL names, dropped afterwards), migrated, the org
imported by ``prepare_database`` as the bot's start-up does, an administrator (the
district's coordinator) bound, then the bulk fill. The services are built with
``bot.app.build_services`` and a clock stopped at ``--at`` (default: the last day of
the previous month, 20:00 in Asia/Shanghai, so that "this month" holds a whole month of
the year's data: a month board's worst day); the data's year ends there.

Each query is called in turn (never concurrently), first once unmeasured, then for up
to ``--reps`` (200) users (or pages) drawn with a fixed seed from the volunteers who
served, or until ``--budget`` seconds (20) are spent on it (5 calls at least); each
call's latency to its return: ``{name}_p50_ms``, ``{name}_p95_ms``, ``{name}_n``:

- ``passbook_page``: ``services.points.passbook(user, page)``, a page drawn among theirs;
- ``balance``: ``bot.services.points.ledger.balance_of`` in a read unit of work;
- ``points_summary``: ``services.points.summary(user)`` (``/points``);
- ``district_month_board_admin`` / ``…_admin_hours``: ``services.rankings.board`` of
  the administrator for the district, this month, page 0 (the full, paged board), by
  points / by hours; ``district_year_board_admin``: the same for the year (points);
- ``district_month_board_volunteer`` / ``…_volunteer_hours``: a volunteer's view of the
  district board (the top ten and their own place);
- ``community_board``: a volunteer's view of their community's board, this month;
- ``own_rank``: ``storage.repositories.rankings.position`` alone (the query of every
  board that finds the asker's place) on the district month board, for volunteers in
  its lower half;
- ``team_totals_community`` / ``…_street`` / ``…_team``: ``services.rankings.groups``
  of a volunteer, this month: the communities of their street, the streets of the
  district, the specialty teams (points).

Also printed: backend, volunteers, ledger_rows, orders, month_rows (movements in the
month), fill_s (migration, org import and the bulk fill), db_mb (the SQLite file with
its WAL; PostgreSQL's ``pg_database_size``), at, ledger_exact (the balances sum to zero,
every account's balance is its last movement's and the movements' count is M),
volunteers_served, most_served and top_fifth_share (the share of all places served by
the busiest fifth of the volunteers), month_board (volunteers on the district's month
board).
``street_month_export_s`` and ``honour_roll_s`` are null: exports and the honour roll
do not exist yet (issue 16's later steps). Goals (issue 16, SQLite on this machine):
passbook page and balance p95 ≤ 10 ms; every other interactive query p95 ≤ 50 ms; the
honour roll ≤ 5 s; a street's month export ≤ 10 s.

The SQLite file is removed at the end unless ``--keep``. ``--explain`` prints to
stderr, for one call of each query, every SQL statement it ran and its plan (SQLite:
``EXPLAIN QUERY PLAN``; PostgreSQL: ``EXPLAIN``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select, text

from bench.grab_storm import database_url
from bench.scale_fill import Org, Plan, fill, org_file
from bot.app import build_services, prepare_database
from bot.config import load_config
from bot.runtime.event_loop import run as run_loop
from bot.services.kernel.dto import UserDTO
from bot.services.points.ledger import balance_of
from storage.database import Database
from storage.models import Category, OrgUnit, PointAccount, PointMovement, Team, User
from storage.repositories import rankings as rankings_repo
from storage.repositories.rankings import Scope

ADMIN_ID = 9_999_999
ZONE = ZoneInfo("Asia/Shanghai")
Call = Callable[[int], Awaitable[object]]


class StoppedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def default_at() -> datetime:
    """The last day of the previous month, 20:00 in Shanghai."""
    today = datetime.now(ZONE).replace(hour=20, minute=0, second=0, microsecond=0)
    return (today.replace(day=1) - timedelta(days=1)).astimezone(UTC)


def ms_quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(1000 * ordered[round(q * (len(ordered) - 1))], 2)


class Explainer:
    """Captures the statements of one call (``--explain``) and prints their plans."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.on = False
        self.seen: list[tuple[str, Any]] = []

        @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
        def _capture(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
            if self.on and not statement.lstrip().upper().startswith(("BEGIN", "EXPLAIN")):
                self.seen.append((statement, params))

    async def explain(self, name: str, call: Call) -> None:
        self.seen.clear()
        self.on = True
        try:
            await call(0)
        finally:
            self.on = False
        prefix = "EXPLAIN QUERY PLAN " if self.db.dialect == "sqlite" else "EXPLAIN "
        print(f"==== {name}: {len(self.seen)} statements", file=sys.stderr)
        for statement, params in list(self.seen):
            async with self.db.engine.connect() as conn:
                rows = (await conn.exec_driver_sql(prefix + statement, params)).all()
            print(f"-- {' '.join(statement.split())}\n   params {params}", file=sys.stderr)
            for row in rows:
                print("   " + " | ".join(str(v) for v in row), file=sys.stderr)


async def measure(name: str, call: Call, reps: int, budget: float) -> dict[str, Any]:
    await call(0)  # warm: statements compiled, pages cached
    latencies: list[float] = []
    began = time.perf_counter()
    for i in range(reps):
        t0 = time.perf_counter()
        await call(i)
        latencies.append(time.perf_counter() - t0)
        if len(latencies) >= 5 and time.perf_counter() - began > budget:
            break
    print(f"{name}: {len(latencies)} calls, p95 {ms_quantile(latencies, 0.95)} ms", file=sys.stderr)
    return {
        f"{name}_p50_ms": ms_quantile(latencies, 0.5),
        f"{name}_p95_ms": ms_quantile(latencies, 0.95),
        f"{name}_n": len(latencies),
    }


async def read_org(db: Database) -> Org:
    async with db.read() as session:
        communities = list(
            await session.scalars(
                select(OrgUnit.id).where(OrgUnit.kind == "community").order_by(OrgUnit.id)
            )
        )
        teams = list(await session.scalars(select(Team.id).order_by(Team.id)))
        categories = list(await session.scalars(select(Category.code).order_by(Category.id)))
        issuing = await session.scalar(select(PointAccount.id).where(PointAccount.key == "issuing"))
        max_user = await session.scalar(select(func.max(User.id))) or 0
        max_account = await session.scalar(select(func.max(PointAccount.id))) or 0
    if issuing is not None or max_account:
        raise SystemExit("the fill expects a database without point accounts")
    return Org(communities, teams, categories, None, max_user + 1, max_account + 1)


async def db_mb(db: Database, url: str) -> float:
    if db.dialect == "sqlite":
        path = Path(url.split("///", 1)[1])
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    else:
        async with db.read() as session:
            size = int(await session.scalar(text("SELECT pg_database_size(current_database())")))
    return round(size / 2**20, 1)


async def ledger_exact(db: Database, plan: Plan) -> bool:
    async with db.read() as session:
        total = await session.scalar(select(func.sum(PointAccount.balance)))
        count = await session.scalar(select(func.count()).select_from(PointMovement))
        last = (
            select(PointMovement.to_account_id.label("a"), func.max(PointMovement.id).label("m"))
            .group_by(PointMovement.to_account_id)
            .subquery()
        )
        wrong = await session.scalar(
            select(func.count())
            .select_from(last)
            .join(PointMovement, PointMovement.id == last.c.m)
            .join(PointAccount, PointAccount.id == last.c.a)
            .where(PointAccount.balance != PointMovement.to_balance)
        )
    return total == 0 and count == plan.movements and wrong == 0


def skew(plan: Plan) -> dict[str, Any]:
    """How the places are spread: volunteers who served, the most one served, and the
    share of all places served by the busiest fifth of the volunteers."""
    counts = sorted(plan.served.values(), reverse=True)
    fifth = sum(counts[: len(plan.volunteers) // 5])
    return {
        "volunteers_served": len(counts),
        "most_served": counts[0] if counts else 0,
        "top_fifth_share": round(fifth / max(1, plan.movements), 3),
    }


async def bench(args: argparse.Namespace, url: str) -> dict[str, Any]:
    at = datetime.fromisoformat(args.at).astimezone(UTC) if args.at else default_at()
    workdir = Path(tempfile.mkdtemp(prefix="scale-"))
    overrides: dict[str, dict[str, object]] = {
        "database": {"url": url},
        "org": {"file": str(org_file(workdir))},
    }
    config = load_config(environ={}, overrides=overrides)
    db = Database.from_url(url, pool_size=config.database.pool_size)
    try:
        began = time.perf_counter()
        if db.dialect != "sqlite":
            from storage.migrate import upgrade

            await upgrade(db.engine)
        await prepare_database(config, db)
        services = build_services(config, db, clock=StoppedClock(at))
        await services.coordinators.add_admin(ADMIN_ID, "hanyang", label="bench")
        org = await read_org(db)
        plan = await asyncio.to_thread(fill, url, org, args.volunteers, args.ledger, at)
        fill_s = time.perf_counter() - began
        print(f"filled in {fill_s:.1f} s: {plan.orders} orders", file=sys.stderr)
        result: dict[str, Any] = {
            "backend": db.dialect,
            "volunteers": args.volunteers,
            "ledger_rows": plan.movements,
            "orders": plan.orders,
            "fill_s": round(fill_s, 1),
            "db_mb": await db_mb(db, url),
            "at": at.isoformat(),
            "ledger_exact": await ledger_exact(db, plan),
            **skew(plan),
        }
        result.update(await timings(args, services, db, plan))
        result["street_month_export_s"] = None  # not built yet (issue 16)
        result["honour_roll_s"] = None  # not built yet (issue 16)
        return result
    finally:
        await db.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


async def timings(
    args: argparse.Namespace, services: Any, db: Database, plan: Plan
) -> dict[str, Any]:
    rnd = random.Random(1616)
    served = [v for v in plan.volunteers if plan.served.get(v)]
    picked = rnd.sample(served, min(args.reps, len(served)))
    people: list[UserDTO] = [await services.users.get(plan.telegram_of[v]) for v in picked]
    admin = await services.users.get(ADMIN_ID)
    district = admin.coordinator_unit
    rankings = services.rankings
    month = rankings.window("month")
    scope = Scope(path=district.path)
    async with db.read() as session:
        month_rows = await session.scalar(
            select(func.count())
            .select_from(PointMovement)
            .where(PointMovement.created_at >= month.since, PointMovement.created_at < month.until)
        )
        board = await rankings_repo.top(session, "points", month, scope, 0, 10**9)
    lower = [r.user_id for r in board[len(board) // 2 :]] or [picked[0]]
    far_down = [rnd.choice(lower) for _ in range(args.reps)]
    pages = [rnd.randrange(-(-plan.served[v] // 10)) for v in picked]

    def who(i: int) -> UserDTO:
        return people[i % len(people)]

    async def balance(i: int) -> object:
        async with db.read() as session:
            return await balance_of(session, who(i).id)

    async def own_rank(i: int) -> object:
        async with db.read() as session:
            return await rankings_repo.position(session, "points", month, scope, far_down[i])

    calls: dict[str, Call] = {
        "passbook_page": lambda i: services.points.passbook(who(i), pages[i % len(pages)]),
        "balance": balance,
        "points_summary": lambda i: services.points.summary(who(i)),
        "district_month_board_admin": lambda i: rankings.board(
            admin, "points", "month", "u", district.id, 0
        ),
        "district_month_board_admin_hours": lambda i: rankings.board(
            admin, "hours", "month", "u", district.id, 0
        ),
        "district_year_board_admin": lambda i: rankings.board(
            admin, "points", "year", "u", district.id, 0
        ),
        "district_month_board_volunteer": lambda i: rankings.board(
            who(i), "points", "month", "u", district.id
        ),
        "district_month_board_volunteer_hours": lambda i: rankings.board(
            who(i), "hours", "month", "u", district.id
        ),
        "community_board": lambda i: rankings.board(
            who(i), "points", "month", "u", who(i).community_id
        ),
        "own_rank": own_rank,
        "team_totals_community": lambda i: rankings.groups(who(i), "points", "month", "community"),
        "team_totals_street": lambda i: rankings.groups(who(i), "points", "month", "street"),
        "team_totals_team": lambda i: rankings.groups(who(i), "points", "month", "team"),
    }
    out: dict[str, Any] = {"month_rows": int(month_rows or 0), "month_board": len(board)}
    explainer = Explainer(db) if args.explain else None
    for name, call in calls.items():
        if explainer is not None:
            await explainer.explain(name, call)
        out.update(await measure(name, call, args.reps, args.budget))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--volunteers", type=int, default=123_000)
    parser.add_argument("--ledger", type=int, default=1_000_000, help="earn movements")
    parser.add_argument(
        "--database-url",
        default="",
        help="postgresql: a server URL (a fresh database is made beside it)",
    )
    parser.add_argument("--at", default="", help="the clock (ISO, with its offset)")
    parser.add_argument("--reps", type=int, default=200, help="calls of each query, at most")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per query, about")
    parser.add_argument("--explain", action="store_true", help="each query's plans to stderr")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file (say where)")
    args = parser.parse_args()
    url, pg_name = database_url(args)
    try:
        result = run_loop(bench(args, url))
    finally:
        if pg_name is not None:
            from tests.support.database import drop_postgres_database

            drop_postgres_database(args.database_url or os.environ["TEST_POSTGRES_URL"], pg_name)
        elif args.keep:
            print(f"kept {url}", file=sys.stderr)
        else:
            shutil.rmtree(Path(url.split("///", 1)[1]).parent, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
