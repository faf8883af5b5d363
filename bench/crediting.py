"""Crediting a completed activity: an activity whose 200 places all served (120 minutes
each) is completed by its coordinator; measured from the completion call to the moment
its transaction — the order completed, the 200 ``earn`` movements (issuing → each
volunteer, ``earn:<claim id>``), the "service completed" and "points earned" notices in
the outbox — is committed. The volunteers and their served places are inserted in bulk
(the grab storm and the service day have their own benches and tests).

    .venv/bin/python bench/crediting.py [--places 200]

Prints one JSON line: backend, places, earns (committed), crediting_ms, points_each.
Importable: ``await crediting(places=200, url=None)`` returns the same dict (bench/points.py
combines it with the redemption storm). Goal: crediting_ms ≤ 1000 on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, update

from bench.grab_storm import COMMUNITY, add_volunteers, open_order
from bench.grab_storm import COORDINATOR_ID as GRAB_STORM_COORDINATOR
from bot.app import build_services, prepare_database
from bot.config import load_config
from storage.database import Database
from storage.enums import ClaimState, MovementKind, OrderState
from storage.migrate import upgrade
from storage.models import Claim, Order, PointMovement

ROOT = Path(__file__).resolve().parents[1]


class BenchClock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


async def crediting(places: int = 200, url: str | None = None) -> dict[str, object]:
    """Complete an activity of ``places`` served places; ms until all earns committed.
    ``url``: an empty database (default: a fresh SQLite file)."""
    url = url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/crediting.db"
    config = load_config(
        environ={},
        overrides={"database": {"url": url}, "org": {"file": str(ROOT / "orgs.example.toml")}},
    )
    db = Database.from_url(url)
    try:
        await upgrade(db.engine)
        await prepare_database(config, db)
        clock = BenchClock(datetime.now(UTC))
        services = build_services(config, db, clock)
        community = await services.org.unit_by_code(COMMUNITY)
        assert community is not None
        volunteer_ids = await add_volunteers(db, community.id, places)
        order_id = await open_order(services, places)  # as the grab storm's
        boss = await services.users.get(GRAB_STORM_COORDINATOR)
        order = await services.orders.get(order_id)
        starts = order.starts_at
        # every place served: checked in at the start, out at the end
        async with db.transaction() as session:
            await session.execute(
                insert(Claim),
                [
                    {
                        "order_id": order_id,
                        "volunteer_id": uid,
                        "state": ClaimState.DONE.value,
                        "joined_at": clock.at,
                        "checked_in_at": starts,
                        "checked_out_at": starts + timedelta(hours=2),
                        "minutes": 120,
                        "late_cancel": False,
                    }
                    for uid in volunteer_ids
                ],
            )
            await session.execute(
                update(Order)
                .where(Order.id == order_id)
                .values(state=OrderState.IN_SERVICE.value, taken=0)
            )
        clock.at = starts + timedelta(hours=3)

        began = time.perf_counter()
        await services.attendance.confirm_completion(boss, order_id)
        elapsed_ms = (time.perf_counter() - began) * 1000

        async with db.read() as session:
            earns = await session.scalar(
                select(func.count())
                .select_from(PointMovement)
                .where(
                    PointMovement.kind == MovementKind.EARN.value,
                    PointMovement.order_id == order_id,
                )
            )
            each = await session.scalar(
                select(func.min(PointMovement.amount)).where(PointMovement.order_id == order_id)
            )
    finally:
        await db.dispose()
    return {
        "backend": "postgresql" if url.startswith("postgresql") else "sqlite",
        "places": places,
        "earns": int(earns or 0),
        "crediting_ms": round(elapsed_ms, 1),
        "points_each": (each or 0) / 10,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(crediting(args.places))))


if __name__ == "__main__":
    main()
