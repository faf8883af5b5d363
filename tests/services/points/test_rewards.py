"""The rewards catalogue and redemptions (公益兑换) on SQLite and PostgreSQL: bad input
refused kindly, who sees which catalogue, a redemption's stock + row + movement in one
transaction, hand-over and cancellation (refund, stock back) re-checked, and the storm:
500 volunteers at once on a reward with 50 in stock."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.container import Services
from bot.i18n import get_translator
from bot.messages.common import local_time
from bot.services.kernel.errors import (
    AlreadyDecided,
    InsufficientPoints,
    InvalidValue,
    NotAllowed,
    NotFound,
    NotInScope,
)
from bot.services.points.redemptions import BalanceChanged, Redeemed
from bot.services.points.rewards import (
    OutOfStock,
    RewardForm,
    RewardUnavailable,
    typed_cost,
)
from storage.database import Database
from storage.enums import RedemptionState
from storage.models import OutboxMessage, PointMovement, Redemption
from tests.support.orders import boss, volunteers
from tests.support.rewards import add_reward, balance, check_ledger, credit, stock
from tests.support.services import (
    COMMUNITY,
    OTHER_COMMUNITY,
    OTHER_STREET,
    STREET,
    FakeClock,
    Org,
    audit_rows,
    count,
)


async def test_bad_rewards_are_refused_with_the_field_and_reason(
    services: Services, org: Org
) -> None:
    coordinator = await boss(services, STREET)
    cases = [
        ({"cost": 0}, "cost", "not_positive"),
        ({"cost": -10}, "cost", "not_positive"),
        ({"stock": -1}, "stock", "range"),
        ({"name": "奖" * 65}, "reward_name", "too_long"),
        ({"name": "  "}, "reward_name", "empty"),
        (
            {"first_day": date(2026, 3, 5), "last_day": date(2026, 3, 4)},
            "reward_dates",
            "end_before_start",
        ),
    ]
    for changes, field, reason in cases:
        values: dict[str, object] = {"name": "购物袋", "cost": 10, "stock": 1, **changes}
        with pytest.raises(InvalidValue) as caught:
            await services.rewards.add(coordinator, RewardForm(**values))  # type: ignore[arg-type]
        assert (caught.value.field, caught.value.reason) == (field, reason)
    assert (await services.rewards.managed(coordinator, 0)).total == 0
    for typed, reason in (("abc", "not_a_number"), ("1.25", "tenths"), ("-2", "not_positive")):
        with pytest.raises(InvalidValue) as caught:
            typed_cost(typed)
        assert caught.value.reason == reason
    assert typed_cost("２.５") == 25


async def test_the_catalogue_is_the_units_and_those_above(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    street = await boss(services, STREET)
    community = await boss(services, COMMUNITY)
    other = await boss(services, OTHER_STREET)
    await add_reward(services, street, name="街道奖品", cost=30)
    await add_reward(services, community, name="社区奖品", cost=20)
    await add_reward(services, other, name="别的街道")
    await add_reward(services, community, name="没货了", stock=0)
    gone = await add_reward(services, community, name="撤下")
    await services.rewards.withdraw(community, gone.id)
    today = clock.now().date()
    await add_reward(services, community, name="明天起", first_day=today + timedelta(days=1))
    await add_reward(services, community, name="昨天止", last_day=today - timedelta(days=1))
    await add_reward(services, community, name="今天止", last_day=today)
    (mine,) = await volunteers(db, org, 1)
    (far,) = await volunteers(db, org, 1, community_code=OTHER_COMMUNITY)

    page, money = await services.rewards.catalogue(mine, 0)
    assert [r.name for r in page.items] == ["社区奖品", "街道奖品", "今天止"]
    assert money == 0
    page, _ = await services.rewards.catalogue(far, 0)
    assert [r.name for r in page.items] == ["别的街道"]
    with pytest.raises(RewardUnavailable):
        await services.rewards.offer(far, gone.id)
    managed = await services.rewards.managed(community, 0)
    assert "撤下" not in [r.name for r in managed.items]
    with pytest.raises(NotInScope):
        await services.rewards.withdraw(other, managed.items[0].id)
    assert [e.action for e in await audit_rows(db)].count("reward.add") == 8
    assert len(await audit_rows(db, "reward.withdraw")) == 1


async def test_a_redemption_is_stock_row_and_movement_at_once(
    db: Database, services: Services, org: Org
) -> None:
    coordinator = await boss(services, COMMUNITY)
    reward = await add_reward(services, coordinator, cost=45, stock=2)
    rich, poor = await volunteers(db, org, 2)
    await credit(db, [rich.id], 100)
    await credit(db, [poor.id], 40)

    offer = await services.rewards.offer(rich, reward.id)
    assert (offer.balance, offer.after) == (100, 55)
    done = await services.redemptions.redeem(rich, reward.id, expected_balance=100)
    assert isinstance(done, Redeemed) and done.balance == 55
    assert done.redemption.state == RedemptionState.PENDING.value
    assert await stock(db, reward.id) == 1
    with pytest.raises(BalanceChanged):  # the same confirmation pressed again
        await services.redemptions.redeem(rich, reward.id, expected_balance=100)
    with pytest.raises(InsufficientPoints) as short:
        await services.redemptions.redeem(poor, reward.id)
    assert (short.value.balance, short.value.cost) == (40, 45)
    assert await stock(db, reward.id) == 1  # nothing of the refused one stayed
    assert await count(db, Redemption) == 1
    assert await balance(db, poor.id) == 40
    # the community's coordinator is told, with the buttons
    async with db.read() as session:
        told = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.dedup_key.like("redemption.made:%"))
            )
        )
    assert [m.chat_id for m in told] == [coordinator.telegram_id]
    made = get_translator("zh_CN")(
        "rewards.made_notice",
        volunteer=f"志愿者{rich.telegram_id}",
        name=reward.name,
        cost="4.5",
        id=done.redemption.id,
        stock=1,  # of 2, one taken (it said 0: the stock counted down twice)
        when=local_time(done.redemption.created_at, services.redemptions.timezone),
    )
    assert told[0].payload["text"] == made
    await check_ledger(db)


async def test_handing_over_and_cancelling_are_rechecked(
    db: Database, services: Services, org: Org
) -> None:
    coordinator = await boss(services, COMMUNITY)
    street = await boss(services, STREET)
    stranger = await boss(services, OTHER_STREET)
    reward = await add_reward(services, coordinator, cost=30, stock=1)
    (volunteer,) = await volunteers(db, org, 1)
    await credit(db, [volunteer.id], 70)
    first = (await services.redemptions.redeem(volunteer, reward.id)).redemption

    with pytest.raises(NotInScope):
        await services.redemptions.hand_over(stranger, first.id)
    with pytest.raises(NotAllowed):
        await services.redemptions.hand_over(volunteer, first.id)
    with pytest.raises(NotFound):
        await services.redemptions.hand_over(coordinator, first.id + 1000)
    handed = await services.redemptions.hand_over(street, first.id)  # a unit above may
    assert handed.state == RedemptionState.HANDED_OVER.value
    with pytest.raises(AlreadyDecided):
        await services.redemptions.hand_over(coordinator, first.id)
    with pytest.raises(AlreadyDecided):
        await services.redemptions.cancel(coordinator, first.id, "弄错了")

    with pytest.raises(OutOfStock):
        await services.redemptions.redeem(volunteer, reward.id)
    edited = reward.form().__class__(**{**vars(reward.form()), "stock": 1})
    await services.rewards.edit(coordinator, reward.id, edited)
    second = (await services.redemptions.redeem(volunteer, reward.id)).redemption
    assert await balance(db, volunteer.id) == 10
    with pytest.raises(InvalidValue):
        await services.redemptions.cancel(coordinator, second.id, "   ")
    cancelled = await services.redemptions.cancel(coordinator, second.id, "<b>缺货</b>")
    assert (cancelled.state, cancelled.reason) == ("cancelled", "<b>缺货</b>")
    assert await balance(db, volunteer.id) == 40
    assert await stock(db, reward.id) == 1
    with pytest.raises(AlreadyDecided):
        await services.redemptions.cancel(coordinator, second.id, "again")
    page, money = await services.redemptions.mine(volunteer, 0)
    assert [r.state for r in page.items] == ["cancelled", "handed_over"]
    assert money == 40
    assert [e.action for e in await audit_rows(db) if e.action.startswith("redemption.")] == [
        "redemption.handed_over",
        "redemption.cancelled",
    ]
    await check_ledger(db)


async def test_a_storm_of_500_on_a_stock_of_50(db: Database, services: Services, org: Org) -> None:
    coordinator = await boss(services, COMMUNITY)
    reward = await add_reward(services, coordinator, cost=25, stock=50)
    crowd = await volunteers(db, org, 500)
    await credit(db, [v.id for v in crowd], 30)

    results = await asyncio.gather(
        *(services.redemptions.redeem(v, reward.id, expected_balance=30) for v in crowd),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, Redeemed)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    assert (len(won), len(refused)) == (50, 450)  # every tap answered, one way or the other
    assert len({r.redemption.volunteer_id for r in won}) == 50
    assert await stock(db, reward.id) == 0
    assert await count(db, Redemption) == 50
    for v, result in zip(crowd, results, strict=True):
        assert await balance(db, v.id) == (5 if isinstance(result, Redeemed) else 30)
    async with db.read() as session:
        redeems = await session.scalar(
            select(func.count()).where(PointMovement.kind == "redeem").select_from(PointMovement)
        )
    assert redeems == 50
    await check_ledger(db)
