"""Points bench (issue 14): a redemption storm — N volunteers, each with enough points,
redeem one reward with S in stock at the same moment (asyncio.gather) — and the
crediting of a completed activity (``bench/crediting.py``), on the same back end.

The storm goes through the service the Redeem confirmation calls
(``RedemptionService.redeem``, with the balance the confirmation showed): its batching,
the conditional stock update, the ledger's movements and the coordinators' notices in the
outbox, on a migrated database (a fresh SQLite file, or the PostgreSQL named by
``--database-url`` in a database of its own). Not through Telegram updates: the grab
storm (bench/grab_storm.py) measures that path, whose cost per tap is the same here.

    .venv/bin/python bench/points.py [--backend sqlite|postgresql] [--volunteers 500]
        [--stock 50] [--places 200] [--database-url URL]

Prints one JSON line: backend, volunteers, stock, redeemed, refused (OutOfStock),
answered (every call returned or refused), exact (redeemed == stock, the stock left 0,
every balance as it should be, the accounts summing to zero), p50_ms / p99_ms (from the
moment all calls are made to each one's answer), and "crediting" (bench/crediting.py's
figures: ms from completion to all the places' earns committed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.crediting import crediting
from bot.services.points.redemptions import Redeemed
from bot.services.points.rewards import OutOfStock
from storage.database import Database
from storage.migrate import upgrade
from tests.support.orders import boss, volunteers
from tests.support.rewards import add_reward, balance, check_ledger, credit, stock
from tests.support.services import COMMUNITY, FakeClock, build_services, load_org

COST = 25  # tenths
START_BALANCE = 30


async def storm(db: Database, n: int, in_stock: int) -> dict[str, Any]:
    services = build_services(db, FakeClock())
    org = await load_org(services)
    coordinator = await boss(services, COMMUNITY)
    reward = await add_reward(services, coordinator, cost=COST, stock=in_stock)
    crowd = await volunteers(db, org, n)
    await credit(db, [v.id for v in crowd], START_BALANCE, tag="bench")
    await services.claims.warm_up()

    latencies: list[float] = []
    started = time.perf_counter()

    async def one(volunteer: Any) -> Redeemed | BaseException:
        try:
            result: Redeemed | BaseException = await services.redemptions.redeem(
                volunteer, reward.id, START_BALANCE
            )
        except Exception as exc:  # an answer too: counted below
            result = exc
        latencies.append((time.perf_counter() - started) * 1000)
        return result

    results = await asyncio.gather(*(one(v) for v in crowd))
    redeemed = [r for r in results if isinstance(r, Redeemed)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    exact = len(redeemed) == min(n, in_stock) and await stock(db, reward.id) == max(0, in_stock - n)
    for volunteer, result in zip(crowd, results, strict=True):
        expected = START_BALANCE - COST if isinstance(result, Redeemed) else START_BALANCE
        exact = exact and await balance(db, volunteer.id) == expected
    try:
        await check_ledger(db)
    except AssertionError:
        exact = False
    ordered = sorted(latencies)
    return {
        "volunteers": n,
        "stock": in_stock,
        "redeemed": len(redeemed),
        "refused": len(refused),
        "answered": len(redeemed) + len(refused),
        "exact": exact,
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 1),
    }


@contextlib.asynccontextmanager
async def fresh_database(args: argparse.Namespace, name: str) -> AsyncIterator[str]:
    """The URL of an empty database on the chosen back end, dropped afterwards."""
    if args.backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/{name}.db"
        return
    from tests.support.database import drop_postgres_database, fresh_postgres_database

    url, database = await asyncio.to_thread(fresh_postgres_database, args.database_url)
    try:
        yield url
    finally:
        await asyncio.to_thread(drop_postgres_database, args.database_url, database)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {"backend": args.backend}
    async with fresh_database(args, "points") as url:
        db = Database.from_url(url)
        try:
            await upgrade(db.engine)
            figures.update(await storm(db, args.volunteers, args.stock))
        finally:
            await db.dispose()
    async with fresh_database(args, "crediting") as url:
        figures["crediting"] = await crediting(places=args.places, url=url)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--volunteers", type=int, default=500)
    parser.add_argument("--stock", type=int, default=50)
    parser.add_argument("--places", type=int, default=200, help="the activity credited")
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
