"""When a service may be set and when grabbing may open, as the order service checks
them on storing (issue 12, item 18): ``[orders] max_days_ahead`` ahead at most, at
least 15 minutes, over midnight allowed; an opening time that passed before publishing
opens at once. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import build_services
from bot.config import load_config
from bot.container import Services
from bot.services.kernel.errors import InvalidValue
from bot.services.requests.publish import Publication, check_opens
from storage.database import Database
from tests.support.orders import boss, request_form
from tests.support.services import START, FakeClock, Org, person


async def test_a_request_more_than_max_days_ahead_or_too_short_is_refused(
    services: Services, org: Org
) -> None:
    resident = await person(services, 1001)
    far = START + timedelta(days=61)
    with pytest.raises(InvalidValue) as error:
        await services.orders.create_request(
            resident, request_form(org, starts_at=far, ends_at=far + timedelta(hours=1))
        )
    assert (error.value.field, error.value.reason, error.value.values) == (
        "starts_at",
        "too_far",
        {"days": 60},
    )
    soon = START + timedelta(days=1)
    with pytest.raises(InvalidValue) as short:
        await services.orders.create_request(
            resident, request_form(org, starts_at=soon, ends_at=soon + timedelta(minutes=10))
        )
    assert (short.value.field, short.value.reason) == ("ends_at", "too_short")
    # 23:00–01:00 in Shanghai (15:00–17:00 UTC): over midnight, two hours
    night = START.replace(hour=15) + timedelta(days=1)
    order = await services.orders.create_request(
        resident, request_form(org, starts_at=night, ends_at=night + timedelta(hours=2))
    )
    assert order.ends_at - order.starts_at == timedelta(hours=2)
    sixty = START + timedelta(days=60)
    await services.orders.create_request(
        resident, request_form(org, starts_at=sixty, ends_at=sixty + timedelta(hours=1))
    )


async def test_max_days_ahead_is_configured(db: Database, clock: FakeClock, org: Org) -> None:
    config = load_config(environ={}, overrides={"orders": {"max_days_ahead": 10}})
    services = build_services(config, db, clock)
    assert services.orders.max_days_ahead == 10
    resident = await person(services, 1001)
    eleven = START + timedelta(days=11)
    with pytest.raises(InvalidValue) as error:
        await services.orders.create_activity(
            await boss(services),
            request_form(org, starts_at=eleven, ends_at=eleven + timedelta(hours=1)),
            Publication(places=1),
        )
    assert error.value.values == {"days": 10}
    ten = START + timedelta(days=10)
    await services.orders.create_request(
        resident, request_form(org, starts_at=ten, ends_at=ten + timedelta(hours=1))
    )


def test_a_typed_opening_time_must_be_still_to_come() -> None:
    starts = START + timedelta(days=2)
    with pytest.raises(InvalidValue) as past:
        check_opens(START - timedelta(minutes=1), starts, START)
    assert (past.value.field, past.value.reason) == ("opens_at", "past")
    with pytest.raises(InvalidValue) as late:
        check_opens(starts, starts, START)
    assert late.value.reason == "after_start"
    check_opens(START + timedelta(minutes=1), starts, START)
    check_opens(None, starts, START)


async def test_an_opening_time_passed_before_publishing_opens_at_once(
    services: Services, org: Org, clock: FakeClock
) -> None:
    """The coordinator typed 10:00 at 09:58 and pressed "publish" at 10:01: grabbing
    opens now (handlers/requests/review_publish.py tells them so)."""
    resident = await person(services, 1001)
    order = await services.orders.create_request(resident, request_form(org))
    opens = clock.now() + timedelta(minutes=2)
    clock.advance(minutes=3)
    published = await services.orders.approve(
        await boss(services), order.id, Publication(places=1, opens_at=opens)
    )
    assert published.opens_at is None and published.state == "open"
    later = clock.now() + timedelta(hours=1)
    other = await services.orders.create_request(resident, request_form(org))
    kept = await services.orders.approve(
        await boss(services), other.id, Publication(places=1, opens_at=later)
    )
    assert kept.opens_at == later
