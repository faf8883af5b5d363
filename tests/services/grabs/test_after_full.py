"""Taps on an order already full are refused by the grab batch's read (no write, no
lock), never wrongly: a place freed or added afterwards — in this process or by another
(a second set of services on the same database) — is won by the next tap, in the order
the taps came; the refusals still say first who the user is to the order."""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from bot.container import Services
from bot.services.kernel.dto import ClaimDTO, OrderDTO, UserDTO
from bot.services.kernel.errors import AlreadyClaimed, NotAllowed, SlotsFull
from storage.database import Database
from storage.models import Order
from tests.support.orders import activity, check_invariants, volunteers
from tests.support.services import Org, person, recorded_writes


async def together(services: Services, order_id: int, taps: list[UserDTO]) -> list[object]:
    return await asyncio.gather(
        *(services.claims.grab(v, order_id) for v in taps), return_exceptions=True
    )


async def filled(
    services: Services, org: Org, db: Database, places: int, crowd: int
) -> tuple[OrderDTO, list[UserDTO], list[object]]:
    """An order of ``places`` filled by a storm of ``crowd`` taps."""
    order = await activity(services, org, places)
    people = await volunteers(db, org, crowd)
    results = await together(services, order.id, people)
    assert all(isinstance(r, SlotsFull) for r in results[places:])
    return order, people, results


async def test_taps_on_a_full_order_are_refused_by_a_read_that_writes_nothing(
    db: Database, services: Services, org: Org
) -> None:
    order, people, _ = await filled(services, org, db, 2, 10)
    resident = await person(services, 4001)

    with recorded_writes(db) as writes:
        results = await together(services, order.id, [resident, people[0], *people[2:]])

    assert writes == []
    assert isinstance(results[0], NotAllowed)  # who they are comes before "full"
    assert isinstance(results[1], AlreadyClaimed)  # a holder is told so, not "full"
    assert all(isinstance(r, SlotsFull) for r in results[2:])


async def test_a_place_given_up_after_the_order_was_full_goes_to_the_next_tap(
    db: Database, services: Services, org: Org
) -> None:
    order, people, results = await filled(services, org, db, 2, 6)
    holder = results[0]
    assert isinstance(holder, ClaimDTO)
    await services.claims.cancel(people[0], holder.id)  # nobody waits: the place is free

    later = await together(services, order.id, people[2:])

    assert isinstance(later[0], ClaimDTO) and later[0].volunteer_id == people[2].id
    assert all(isinstance(r, SlotsFull) for r in later[1:])  # in the order they came
    snap = await check_invariants(db, order.id)
    assert snap.order.taken == 2


async def test_a_place_freed_by_another_process_is_seen_by_the_next_tap(
    db: Database, services: Services, open_services: Services, org: Org
) -> None:
    """``open_services``: another process's services on the same database."""
    order, people, results = await filled(services, org, db, 1, 4)
    holder = results[0]
    assert isinstance(holder, ClaimDTO)
    await open_services.claims.cancel(people[0], holder.id)

    won = await services.claims.grab(people[1], order.id)

    assert won.volunteer_id == people[1].id
    await check_invariants(db, order.id)


async def test_places_raised_after_the_order_was_full_are_won_by_the_next_taps(
    db: Database, services: Services, org: Org
) -> None:
    order, people, _ = await filled(services, org, db, 1, 5)
    async with db.transaction() as session:  # as an edit in another process would
        await session.execute(
            update(Order).where(Order.id == order.id).values(places=3, state="open")
        )

    later = await together(services, order.id, people[1:])

    assert [type(r).__name__ for r in later] == ["ClaimDTO", "ClaimDTO", "SlotsFull", "SlotsFull"]
    assert [r.volunteer_id for r in later[:2] if isinstance(r, ClaimDTO)] == [
        people[1].id,
        people[2].id,
    ]
    snap = await check_invariants(db, order.id)
    assert snap.order.taken == 3
