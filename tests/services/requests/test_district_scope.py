"""A district-wide order (issue 15): a district coordinator publishes an activity to
every volunteer of the district — announced as one campaign, listed in /orders and
taken by volunteers of any street — and nobody below the district may choose that
scope. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.container import Services
from bot.services.kernel.errors import NotInScope
from storage.database import Database
from tests.support.orders import activity, volunteers
from tests.support.services import DISTRICT, OTHER_COMMUNITY, STREET, Org, coordinator, queued


async def told(db: Database, order_id: int) -> set[int]:
    return {r.chat_id for r in await queued(db, f"publish:{order_id}:")}


async def test_a_district_wide_activity_reaches_and_is_taken_across_streets(
    db: Database, services: Services, org: Org
) -> None:
    here = await volunteers(db, org, 2)
    there = await volunteers(db, org, 2, community_code=OTHER_COMMUNITY)  # another street
    district = await coordinator(services, 9201, DISTRICT)
    order = await activity(services, org, 3, actor=district, scope="district")
    assert order.scope == "district"
    assert await told(db, order.id) == {v.telegram_id for v in (*here, *there)}
    listed = await services.orders.browse(there[0], "street")
    assert order.id in {o.id for o in listed.items}
    claim = await services.claims.grab(there[0], order.id)  # of another street: may
    assert (claim.order.id, claim.state) == (order.id, "claimed")


async def test_only_a_district_coordinator_may_publish_district_wide(
    db: Database, services: Services, org: Org
) -> None:
    await volunteers(db, org, 1)
    street = await coordinator(services, 9202, STREET)
    with pytest.raises(NotInScope):
        await activity(services, org, 3, actor=street, scope="district")
    street_wide = await activity(services, org, 3, actor=street, scope="street")
    assert street_wide.scope == "street"
