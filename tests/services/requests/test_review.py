"""Requests (点单) and their review (发单): validation, scope, decisions, notices."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import build_services
from bot.container import Services
from bot.services.kernel.errors import AlreadyDecided, InvalidValue, NotAllowed, NotInScope
from bot.services.kernel.scheduling import RecordingScheduler
from bot.services.requests.publish import Publication
from storage.database import Database
from storage.enums import OrderState
from storage.models import Order
from tests.support.orders import boss, request_form
from tests.support.services import (
    COMMUNITY,
    OTHER_COMMUNITY,
    START,
    STREET,
    FakeClock,
    Org,
    audit_rows,
    count,
    make_config,
    person,
    recorded_writes,
)


def recording(db: Database, clock: FakeClock) -> tuple[Services, RecordingScheduler]:
    recorder = RecordingScheduler()
    return build_services(make_config(), db, clock, scheduler=recorder), recorder


async def test_a_request_waits_for_review_with_its_number(services: Services, org: Org) -> None:
    resident = await person(services, 1001)
    order = await services.orders.create_request(resident, request_form(org))
    assert order.state == OrderState.PENDING_REVIEW.value
    assert order.number == f"HY{order.id:06d}"
    assert (order.places, order.taken, order.contact_phone) == (0, 0, "+8613800138000")
    second = await services.orders.create_request(resident, request_form(org))
    assert second.number != order.number


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "   "}, "description"),
        ({"description": "x" * 10_000}, "description"),
        ({"ends_at": START + timedelta(days=2) - timedelta(hours=1)}, "ends_at"),
        ({"starts_at": START - timedelta(hours=1)}, "starts_at"),
        ({"helpers_requested": 0}, "helpers"),
        ({"helpers_requested": 500}, "helpers"),
        ({"contact_phone": "12345"}, "phone"),
        ({"address": ""}, "address"),
        ({"category": "Bad Category"}, "category"),
        ({"community_id": 999_999}, "community"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    db: Database, services: Services, org: Org, changes: dict[str, object], field: str
) -> None:
    resident = await person(services, 1001)
    with recorded_writes(db) as writes, pytest.raises(InvalidValue) as caught:
        await services.orders.create_request(resident, request_form(org, **changes))
    assert caught.value.field == field
    assert writes == []
    assert await count(db, Order) == 0


async def test_review_queue_is_scoped_oldest_first_and_paged(
    services: Services, clock: FakeClock, org: Org
) -> None:
    resident = await person(services, 1001)
    here = []
    for _ in range(7):
        here.append(await services.orders.create_request(resident, request_form(org)))
        clock.advance(minutes=1)
    elsewhere = await services.orders.create_request(
        resident, request_form(org, community_id=org[OTHER_COMMUNITY].id)
    )
    community_boss = await boss(services, COMMUNITY)
    street_boss = await boss(services, STREET)
    other_boss = await boss(services, OTHER_COMMUNITY)

    first = await services.orders.review_queue(community_boss)
    assert [o.id for o in first.items] == [o.id for o in here[:5]]
    assert (first.pages, first.total) == (2, 7)
    second = await services.orders.review_queue(community_boss, page=1)
    assert [o.id for o in second.items] == [o.id for o in here[5:]]
    street = await services.orders.review_queue(street_boss)
    assert street.total == 7  # the street's coordinator sees its communities' queue
    other = await services.orders.review_queue(other_boss)
    assert [o.id for o in other.items] == [elsewhere.id]
    with pytest.raises(NotAllowed):
        await services.orders.review_queue(resident)


async def test_approve_opens_the_order_and_tells_the_requester(
    db: Database, clock: FakeClock, org: Org
) -> None:
    svc, recorder = recording(db, clock)
    resident = await person(svc, 1001, language_code="en")
    order = await svc.orders.create_request(resident, request_form(org))
    coordinator_ = await boss(svc)
    published = await svc.orders.approve(
        coordinator_, order.id, Publication(places=3, guidance="Bring a mask")
    )
    assert published.state == OrderState.OPEN.value
    assert (published.places, published.points_rate, published.guidance) == (3, 3.0, "Bring a mask")
    assert published.published_at == clock.now()
    (message, _at) = recorder.enqueued[f"order.published:{order.id}"]
    assert message.chat_id == 1001 and order.number in message.text
    assert [e.action for e in await audit_rows(db, "order.approve")] == ["order.approve"]
    with pytest.raises(AlreadyDecided):
        await svc.orders.approve(coordinator_, order.id, Publication(places=3))


async def test_reject_tells_the_requester_the_reason(
    db: Database, clock: FakeClock, org: Org
) -> None:
    svc, recorder = recording(db, clock)
    resident = await person(svc, 1001, language_code="en")
    order = await svc.orders.create_request(resident, request_form(org))
    rejected = await svc.orders.reject(await boss(svc), order.id, "Outside <our> area")
    assert rejected.state == OrderState.REJECTED.value
    (message, _at) = recorder.enqueued[f"order.rejected:{order.id}"]
    assert message.chat_id == 1001
    assert "Outside &lt;our&gt; area" in message.text
    assert len(await audit_rows(db, "order.reject")) == 1


async def test_mark_duplicate(db: Database, clock: FakeClock, org: Org) -> None:
    svc, recorder = recording(db, clock)
    resident = await person(svc, 1001)
    first = await svc.orders.create_request(resident, request_form(org))
    again = await svc.orders.create_request(resident, request_form(org))
    coordinator_ = await boss(svc)
    with pytest.raises(InvalidValue):
        await svc.orders.mark_duplicate(coordinator_, again.id, again.id)
    closed = await svc.orders.mark_duplicate(coordinator_, again.id, first.id)
    assert (closed.state, closed.duplicate_of_id) == (OrderState.REJECTED.value, first.id)
    assert first.number in recorder.enqueued[f"order.duplicate:{again.id}"][0].text


async def test_coordinators_of_another_unit_and_non_coordinators_are_refused(
    db: Database, services: Services, org: Org
) -> None:
    resident = await person(services, 1001)
    order = await services.orders.create_request(resident, request_form(org))
    other = await boss(services, OTHER_COMMUNITY)
    with pytest.raises(NotInScope):
        await services.orders.approve(other, order.id, Publication(places=2))
    with pytest.raises(NotInScope):
        await services.orders.reject(other, order.id, "no")
    with pytest.raises(NotAllowed):
        await services.orders.approve(resident, order.id, Publication(places=2))
    with pytest.raises(NotAllowed):
        await services.orders.create_activity(resident, request_form(org), Publication(places=2))
    assert (await services.orders.get(order.id)).state == OrderState.PENDING_REVIEW.value
    assert [e for e in await audit_rows(db) if e.action.startswith("order.")] == []


@pytest.mark.parametrize(
    ("publication", "field"),
    [
        (Publication(places=0), "places"),
        (Publication(places=201), "places"),
        (Publication(places=2, scope="city"), "scope"),
        (Publication(places=2, team_id=999_999), "teams"),
        (Publication(places=2, points_rate=0), "points_rate"),
        (Publication(places=2, opens_at=START + timedelta(days=3)), "opens_at"),
    ],
)
async def test_bad_publication_is_refused(
    services: Services, org: Org, publication: Publication, field: str
) -> None:
    resident = await person(services, 1001)
    order = await services.orders.create_request(resident, request_form(org))
    with pytest.raises(InvalidValue) as caught:
        await services.orders.approve(await boss(services), order.id, publication)
    assert caught.value.field == field
    assert (await services.orders.get(order.id)).state == OrderState.PENDING_REVIEW.value


async def test_an_activity_skips_review(db: Database, services: Services, org: Org) -> None:
    coordinator_ = await boss(services, STREET)
    order = await services.orders.create_activity(
        coordinator_, request_form(org), Publication(places=20, scope="street")
    )
    assert (order.state, order.places, order.scope) == (OrderState.OPEN.value, 20, "street")
    assert order.requester_id == coordinator_.id
    assert len(await audit_rows(db, "order.create_activity")) == 1
    with pytest.raises(NotInScope):
        await services.orders.create_activity(
            await boss(services, OTHER_COMMUNITY), request_form(org), Publication(places=2)
        )
