"""Publishing (发单): the announcement to the volunteers who may grab, without the
resident's address and phone; browsing open orders; confirming the guidance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import build_services
from bot.callback_data import GRAB
from bot.container import Services
from bot.services.kernel.errors import NotAllowed, NotFound
from bot.services.kernel.scheduling import PRIORITY_BROADCAST, RecordingScheduler
from bot.services.requests.publish import Publication
from storage.database import Database
from tests.support.orders import activity, boss, request_form, volunteers
from tests.support.services import OTHER_COMMUNITY, START, FakeClock, Org, make_config, person


def recording(db: Database, clock: FakeClock) -> tuple[Services, RecordingScheduler]:
    recorder = RecordingScheduler()
    return build_services(make_config(), db, clock, scheduler=recorder), recorder


def announced(recorder: RecordingScheduler, order_id: int) -> dict[int, str]:
    """volunteer user id → the announcement's text"""
    out = {}
    for key, (message, _) in recorder.enqueued.items():
        if key.startswith(f"publish:{order_id}:"):
            assert message.priority == PRIORITY_BROADCAST
            assert message.buttons[0][0].callback_data == f"{GRAB}:{order_id}"
            out[int(key.rsplit(":", 1)[1])] = message.text
    return out


async def test_approval_announces_to_the_community_without_address_or_phone(
    db: Database, clock: FakeClock, services: Services, org: Org
) -> None:
    crowd = await volunteers(db, org, 3)
    s, recorder = recording(db, clock)
    resident = await person(s, 1001)
    order = await s.orders.create_request(resident, request_form(org))
    await s.orders.approve(await boss(s), order.id, Publication(places=2))
    await s.campaigns.materialise()  # the fan-out, after the commit
    texts = announced(recorder, order.id)
    assert set(texts) == {v.id for v in crowd}
    for text in texts.values():
        assert order.number in text
        assert "13800138000" not in text and "401" not in text


async def test_the_team_filters_and_another_community_hears_nothing(
    db: Database, clock: FakeClock, services: Services, org: Org
) -> None:
    team = org.teams[0].id
    (member,) = await volunteers(db, org, 1, team_id=team)
    await volunteers(db, org, 2)
    s, recorder = recording(db, clock)
    teamed = await activity(s, org, 2, team_id=team)
    assert set(announced(recorder, teamed.id)) == {member.id}
    there = await boss(s, OTHER_COMMUNITY)
    elsewhere = await s.orders.create_activity(
        there,
        request_form(org, community_id=org[OTHER_COMMUNITY].id),
        Publication(places=2),
    )
    await s.campaigns.materialise()
    assert announced(recorder, elsewhere.id) == {}


@pytest.mark.parametrize("scope", ["community", "street"])
async def test_browse_finds_open_orders_nearest_first(
    db: Database, services: Services, org: Org, scope: str
) -> None:
    (v,) = await volunteers(db, org, 1)
    later = await activity(services, org, 2, scope=scope)
    sooner = await activity(services, org, 2, starts_at=START + timedelta(days=1))
    page = await services.orders.browse(v, "community")
    assert [o.id for o in page.items] == [sooner.id, later.id]
    assert (await services.orders.browse(v, "street")).total == 2
    with pytest.raises(NotAllowed):
        await services.orders.browse(await person(services, 1001), "street")


async def test_guidance_is_confirmed_once_and_only_by_the_holder(
    db: Database, services: Services, org: Org
) -> None:
    holder, other = await volunteers(db, org, 2)
    order = await activity(services, org, 2, guidance="带上购物袋")
    claim = await services.claims.grab(holder, order.id)
    with pytest.raises(NotFound):
        await services.claims.confirm_guidance(other, claim.id)
    first = await services.claims.confirm_guidance(holder, claim.id)
    assert first.guidance_confirmed_at is not None
    again = await services.claims.confirm_guidance(holder, claim.id)
    assert again.guidance_confirmed_at == first.guidance_confirmed_at
