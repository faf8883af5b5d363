"""A requester cancels their own order (/myrequests): only they, only before the
service starts; every volunteer holding or waiting for a place is told (outbox)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.container import Services
from bot.services.kernel.errors import AlreadyDecided, NotAllowed
from bot.services.requests.publish import Publication
from storage.database import Database
from storage.enums import ClaimState, OrderState
from storage.models import OutboxMessage
from tests.support.orders import boss, check_invariants, request_form, volunteers
from tests.support.services import FakeClock, Org, person


async def test_cancel_tells_every_volunteer_holding_or_waiting(
    db: Database, services: Services, org: Org
) -> None:
    resident = await person(services, 6001)
    order = await services.orders.create_request(resident, request_form(org))
    await services.orders.approve(await boss(services), order.id, Publication(places=1))
    holder, waiting = await volunteers(db, org, 2)
    await services.claims.grab(holder, order.id)
    await services.claims.join_waitlist(waiting, order.id)

    cancelled = await services.orders.cancel_by_requester(resident, order.id)

    assert (cancelled.state, cancelled.taken) == (OrderState.CANCELLED.value, 0)
    snap = await check_invariants(db, order.id)
    assert {c.state for c in snap.claims} == {ClaimState.CANCELLED.value}
    async with db.read() as session:
        told = set(
            await session.scalars(
                select(OutboxMessage.chat_id).where(
                    OutboxMessage.dedup_key.like("order.requester_cancelled:%")
                )
            )
        )
    assert told == {holder.telegram_id, waiting.telegram_id}
    with pytest.raises(AlreadyDecided):
        await services.orders.cancel_by_requester(resident, order.id)


async def test_only_the_requester_and_only_before_the_start(
    services: Services, org: Org, clock: FakeClock
) -> None:
    resident = await person(services, 6002)
    stranger = await person(services, 6003)
    order = await services.orders.create_request(resident, request_form(org))
    with pytest.raises(NotAllowed):
        await services.orders.cancel_by_requester(stranger, order.id)
    with pytest.raises(NotAllowed):
        await services.orders.cancel_by_requester(resident, order.id + 999)
    assert services.orders.requester_may_cancel(order)
    clock.advance(days=2, minutes=1)  # the service has started
    assert not services.orders.requester_may_cancel(order)
    with pytest.raises(AlreadyDecided):
        await services.orders.cancel_by_requester(resident, order.id)
    assert (await services.orders.get(order.id)).state == OrderState.PENDING_REVIEW.value


async def test_requester_orders_are_newest_first_and_paged(
    services: Services, org: Org, clock: FakeClock
) -> None:
    resident = await person(services, 6004)
    numbers = []
    for _ in range(7):
        clock.advance(minutes=1)
        numbers.append((await services.orders.create_request(resident, request_form(org))).number)
    first = await services.orders.requester_orders(resident, 0)
    second = await services.orders.requester_orders(resident, 1)
    assert (first.total, first.pages) == (7, 2)
    assert [o.number for o in first.items + second.items] == numbers[::-1]
