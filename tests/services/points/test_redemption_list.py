"""A coordinator's list of the redemptions still to hand over (/redemptions), on SQLite
and PostgreSQL: those of rewards of their unit and below, oldest first, 10 a page,
with the volunteer's name; another unit's coordinator sees none of them, a volunteer
is refused, and a redemption decided is off the list."""

from __future__ import annotations

import pytest

from bot.container import Services
from bot.services.kernel.errors import NotAllowed
from storage.database import Database
from tests.support.orders import boss, volunteers
from tests.support.rewards import add_reward, credit
from tests.support.services import (
    COMMUNITY,
    DISTRICT,
    OTHER_COMMUNITY,
    STREET,
    FakeClock,
    Org,
)


async def test_the_list_is_the_units_and_below_oldest_first(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    community, street = await boss(services, COMMUNITY), await boss(services, STREET)
    other, district = await boss(services, OTHER_COMMUNITY), await boss(services, DISTRICT)
    bag = await add_reward(services, community, name="环保袋", cost=10, stock=5)
    cup = await add_reward(services, street, name="保温杯", cost=20, stock=5)
    v1, v2 = await volunteers(db, org, 2)
    await credit(db, [v1.id, v2.id], 100)

    first = (await services.redemptions.redeem(v2, cup.id)).redemption
    clock.advance(minutes=5)
    second = (await services.redemptions.redeem(v1, bag.id)).redemption
    clock.advance(minutes=5)
    third = (await services.redemptions.redeem(v1, cup.id)).redemption

    listed = await services.redemptions.pending(street)
    assert [p.redemption.id for p in listed.items] == [first.id, second.id, third.id]
    assert (listed.page, listed.pages, listed.total) == (0, 1, 3)
    assert [p.volunteer_name for p in listed.items] == [
        f"志愿者{v2.telegram_id}",
        f"志愿者{v1.telegram_id}",
        f"志愿者{v1.telegram_id}",
    ]
    assert [p.redemption.reward_name for p in listed.items] == ["保温杯", "环保袋", "保温杯"]
    assert listed.items[0].redemption.created_at < listed.items[2].redemption.created_at
    # the community's coordinator: only their own reward's (the street's is above them)
    assert [p.redemption.id for p in (await services.redemptions.pending(community)).items] == [
        second.id
    ]
    assert (await services.redemptions.pending(district)).total == 3
    # another unit's coordinator sees none of them; a volunteer may not look
    nothing = await services.redemptions.pending(other)
    assert (nothing.items, nothing.total, nothing.pages) == ((), 0, 1)
    with pytest.raises(NotAllowed):
        await services.redemptions.pending(v1)

    # decided: off the list
    await services.redemptions.hand_over(street, first.id)
    await services.redemptions.cancel(community, second.id, "缺货")
    assert [p.redemption.id for p in (await services.redemptions.pending(street)).items] == [
        third.id
    ]
    assert (await services.redemptions.pending(community)).total == 0


async def test_the_list_is_paged_ten_a_page(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    coordinator = await boss(services, COMMUNITY)
    reward = await add_reward(services, coordinator, cost=10, stock=20)
    people = await volunteers(db, org, 12)
    await credit(db, [v.id for v in people], 10)
    made = []
    for v in people:
        made.append((await services.redemptions.redeem(v, reward.id)).redemption.id)
        clock.advance(minutes=1)
    page = await services.redemptions.pending(coordinator, 0)
    assert [p.redemption.id for p in page.items] == made[:10]
    assert (page.page, page.pages, page.total) == (0, 2, 12)
    last = await services.redemptions.pending(coordinator, 1)
    assert [p.redemption.id for p in last.items] == made[10:]
    # a page past the end (pressed after the list got shorter, or forged) is the last
    beyond = await services.redemptions.pending(coordinator, 10**12)
    assert (beyond.page, [p.redemption.id for p in beyond.items]) == (1, made[10:])
