"""Grabs of one order made at the same time are decided together (one batch), in the
order they came, with the same answers one-by-one grabs would give; and a storm costs
one claim INSERT and one conditional UPDATE, not one write transaction per tap."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.container import Services
from bot.services.kernel.dto import ClaimDTO, UserDTO
from bot.services.kernel.errors import (
    AlreadyClaimed,
    NotAllowed,
    NotOpenYet,
    OverlappingClaim,
    SlotsFull,
    TeamRequired,
)
from storage.database import Database
from storage.enums import ClaimState, OrderState
from tests.support.orders import activity, check_invariants, volunteers
from tests.support.services import START, Org, person, recorded_writes

DAY2 = START + timedelta(days=2)


async def together(services: Services, order_id: int, taps: list[UserDTO]) -> list[object]:
    """The taps at once: started in this order, so queued for the batch in this order."""
    return await asyncio.gather(
        *(services.claims.grab(v, order_id) for v in taps), return_exceptions=True
    )


def kinds(results: list[object]) -> list[str]:
    return [r.state if isinstance(r, ClaimDTO) else type(r).__name__ for r in results]


async def test_one_batch_gives_the_places_in_arrival_order_with_every_rule(
    db: Database, services: Services, org: Org
) -> None:
    team = org.teams[1].id
    order = await activity(services, org, 3, starts_at=DAY2, team_id=team)
    other = await activity(services, org, 2, starts_at=DAY2 + timedelta(hours=1))
    holder, busy, a, b, c, d = await volunteers(db, org, 6, team_id=team)
    (outsider,) = await volunteers(db, org, 1)
    resident = await person(services, 1001)
    await services.claims.grab(holder, order.id)  # one place taken before the storm
    await services.claims.grab(busy, other.id)  # overlaps the order's window

    taps = [resident, holder, outsider, busy, a, a, b, c, d]
    results = await together(services, order.id, taps)

    assert kinds(results) == [
        "NotAllowed",  # not a volunteer
        "AlreadyClaimed",  # holds a place already
        "TeamRequired",
        "OverlappingClaim",
        "claimed",  # a: the first two who may, take the two places left …
        "AlreadyClaimed",  # … a's second tap finds a's place
        "claimed",  # b
        "SlotsFull",  # c and d: too late
        "SlotsFull",
    ]
    for result, kind in zip(
        results, (NotAllowed, AlreadyClaimed, TeamRequired, OverlappingClaim), strict=False
    ):
        assert isinstance(result, kind)
    won = [r for r in results if isinstance(r, ClaimDTO)]
    assert [w.volunteer_id for w in won] == [a.id, b.id]
    assert all(w.order.state == OrderState.FILLED.value for w in won)
    snap = await check_invariants(db, order.id)
    assert snap.order.taken == 3
    assert {c.volunteer_id for c in snap.in_state(ClaimState.CLAIMED.value)} == {
        holder.id,
        a.id,
        b.id,
    }


async def test_a_storm_is_one_insert_and_one_update(
    db: Database, services: Services, org: Org
) -> None:
    order = await activity(services, org, 20)
    crowd = await volunteers(db, org, 300)

    with recorded_writes(db) as writes:
        results = await together(services, order.id, crowd)

    winners = [r for r in results if isinstance(r, ClaimDTO)]
    assert [w.volunteer_id for w in winners] == [v.id for v in crowd[:20]]
    assert all(isinstance(r, SlotsFull) for r in results[20:])
    claim_inserts = [w for w in writes if w.lstrip().upper().startswith("INSERT INTO CLAIMS")]
    order_updates = [w for w in writes if w.lstrip().upper().startswith("UPDATE ORDERS")]
    assert (len(claim_inserts), len(order_updates)) == (1, 1)
    snap = await check_invariants(db, order.id)
    assert (snap.order.taken, len(snap.claims)) == (20, 20)


async def test_a_cancelled_row_comes_back_in_a_batch(
    db: Database, services: Services, org: Org
) -> None:
    order = await activity(services, org, 2)
    back, fresh, late = await volunteers(db, org, 3)
    first = await services.claims.grab(back, order.id)
    await services.claims.cancel(back, first.id)

    results = await together(services, order.id, [back, fresh, late])

    assert kinds(results) == ["claimed", "claimed", "SlotsFull"]
    assert isinstance(results[0], ClaimDTO) and results[0].id == first.id  # the same row
    await check_invariants(db, order.id)


async def test_taps_after_the_order_filled_write_nothing(
    db: Database, services: Services, org: Org
) -> None:
    order = await activity(services, org, 2)
    crowd = await volunteers(db, org, 50)
    await together(services, order.id, crowd[:2])

    with recorded_writes(db) as writes:
        results = await together(services, order.id, [crowd[0], *crowd[2:]])

    assert writes == []
    assert isinstance(results[0], AlreadyClaimed)
    assert all(isinstance(r, SlotsFull) for r in results[1:])


async def test_a_batch_on_an_order_not_open_yet_tells_each_tap_when(
    db: Database, services: Services, org: Org
) -> None:
    opens = START + timedelta(hours=3)
    order = await activity(services, org, 2, opens_at=opens)
    taps = await volunteers(db, org, 3)
    results = await together(services, order.id, [*taps, taps[0]])
    assert kinds(results) == ["NotOpenYet"] * 4
    assert all(isinstance(r, NotOpenYet) and r.opens_at == opens for r in results)
    assert len({id(r) for r in results}) == 4  # each caller raises its own error
