"""Exactly first come, first served under a storm of simultaneous taps, on SQLite and
PostgreSQL: never more winners than places, never two places for one volunteer, and
every other tap answered SlotsFull or AlreadyClaimed."""

from __future__ import annotations

import asyncio
import json
import random
import time

from bot.services import Services
from bot.services.dto import ClaimDTO, UserDTO
from bot.services.errors import AlreadyClaimed, SlotsFull
from storage.database import Database
from storage.enums import ClaimState, OrderState
from tests.orders.support import activity, check_invariants, volunteers
from tests.services.support import Org

PLACES = 20


async def storm(
    services: Services, order_id: int, taps: list[UserDTO], label: str, db: Database
) -> list[ClaimDTO]:
    started = time.perf_counter()
    results = await asyncio.gather(
        *(services.claims.grab(v, order_id) for v in taps), return_exceptions=True
    )
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "test": label,
                "backend": db.dialect,
                "taps": len(taps),
                "seconds": round(elapsed, 3),
                "taps_per_s": round(len(taps) / elapsed),
            }
        )
    )
    unexpected = [r for r in results if isinstance(r, BaseException)]
    unexpected = [r for r in unexpected if not isinstance(r, SlotsFull | AlreadyClaimed)]
    assert unexpected == [], unexpected[:3]
    return [r for r in results if isinstance(r, ClaimDTO)]


async def test_1000_volunteers_grab_20_places(db: Database, services: Services, org: Org) -> None:
    order = await activity(services, org, PLACES)
    crowd = await volunteers(db, org, 1000)
    winners = await storm(services, order.id, crowd, "1000 volunteers", db)

    assert len(winners) == PLACES
    assert len({w.volunteer_id for w in winners}) == PLACES
    snap = await check_invariants(db, order.id)
    assert snap.order.taken == PLACES
    assert snap.order.state == OrderState.FILLED.value
    claimed = snap.in_state(ClaimState.CLAIMED.value)
    assert {c.volunteer_id for c in claimed} == {w.volunteer_id for w in winners}
    assert len(snap.claims) == PLACES  # the losers' rows were rolled back


async def test_50_volunteers_tapping_20_times_each(
    db: Database, services: Services, org: Org
) -> None:
    order = await activity(services, org, PLACES)
    crowd = await volunteers(db, org, 50)
    taps = [v for v in crowd for _ in range(20)]
    random.Random(4).shuffle(taps)
    winners = await storm(services, order.id, taps, "50 volunteers x 20 taps", db)

    assert len(winners) == PLACES
    assert len({w.volunteer_id for w in winners}) == PLACES
    snap = await check_invariants(db, order.id)
    assert (snap.order.taken, snap.order.state) == (PLACES, OrderState.FILLED.value)
    assert len(snap.in_state(ClaimState.CLAIMED.value)) == PLACES
