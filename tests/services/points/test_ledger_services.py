"""The 公益银行's use cases on SQLite and PostgreSQL: earning on completion and on
corrections, the bonus, coordinators' adjustments, transfers, the passbook and summary,
and the points rate's limits on publishing."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.container import Services
from bot.services.kernel.errors import (
    InsufficientPoints,
    InvalidValue,
    NotAllowed,
    NotFound,
    NotInScope,
    TransfersOff,
)
from storage.database import Database
from storage.enums import MovementKind
from storage.models import OutboxMessage
from tests.support.orders import activity, boss, volunteers
from tests.support.points import balance, check_ledger, completed, movements, served
from tests.support.services import (
    COMMUNITY,
    OTHER_COMMUNITY,
    STREET,
    FakeClock,
    Org,
    audit_rows,
    person,
)


async def outbox_text(db: Database, key: str) -> str | None:
    async with db.read() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == key))
    return None if row is None else str(row.payload["text"])


async def test_completion_earns_each_served_place_once(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    _coordinator, order, (v1, v2), (c1, c2) = await completed(db, services, org, clock)
    # 120 minutes at the default 3 points an hour
    assert await balance(db, v1.id) == 60 and await balance(db, v2.id) == 60
    earns = await movements(db, MovementKind.EARN)
    assert {(m.key, m.claim_id, m.order_id, m.minutes) for m in earns} == {
        (f"earn:{c1}", c1, order.id, 120),
        (f"earn:{c2}", c2, order.id, 120),
    }
    told = await outbox_text(db, f"points.earned:{c1}")
    assert told is not None and order.number in told and "6" in told
    # the hook run again (a job twice, a retry after a crash) books nothing more
    async with db.transaction() as session:
        await services.points.on_completed(session, order)
    assert len(await movements(db, MovementKind.EARN)) == 2
    assert await balance(db, v1.id) == 60
    await check_ledger(db)


async def test_the_order_rate_and_rounding_decide_the_amount(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    _, order, (v1,), _ = await completed(db, services, org, clock, 1, hours=1.5, points_rate=2.5)
    assert order.points_rate == 2.5
    # 90 minutes × 2.5 / 60 = 3.75 points, to the half point (half up): 4
    assert await balance(db, v1.id) == 40


async def test_a_correction_after_the_earn_books_the_difference(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    coordinator, _order, (v1, v2), (c1, c2) = await completed(db, services, org, clock)
    await services.attendance.correct_hours(coordinator, c1, 180, "签到表核对，多服务一小时")
    assert await balance(db, v1.id) == 90
    (entry,) = await audit_rows(db, "claim.correct_hours")
    (adjust,) = await movements(db, MovementKind.ADJUST)
    assert adjust.audit_id == entry.id and adjust.claim_id == c1 and adjust.amount == 30
    assert adjust.key == f"adjust:hours:{entry.id}"
    await services.attendance.correct_hours(coordinator, c1, 60, "记录有误")
    assert await balance(db, v1.id) == 30  # 60 minutes: 3 points in all
    told = await outbox_text(db, f"points.adjusted:{entry.id + 1}")
    assert told is not None and "-6" in told and "记录有误" in told

    # v2 spent everything: a reduction takes what the balance allows, and says the rest
    await services.points.transfer(v2, 50, to_user=v1.id)
    await services.attendance.correct_hours(coordinator, c2, 0, "其实没有来")
    assert await balance(db, v2.id) == 0
    (short,) = await audit_rows(db, "points.correction_short")
    assert short.detail["wanted"] == 60 and short.detail["short"] == 50
    await check_ledger(db)


async def test_a_correction_before_completion_books_nothing(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    coordinator, order, (v1,), (c1,) = await served(db, services, org, clock, 1)
    await services.attendance.correct_hours(coordinator, c1, 60, "早退")
    assert await movements(db) == []
    await services.attendance.confirm_completion(coordinator, order.id)
    assert await balance(db, v1.id) == 30  # completion earned on the corrected minutes


async def test_five_stars_bring_the_configured_bonus_once(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    _, _, (v1,), (c1,) = await completed(db, services, org, clock, 1)
    async with db.transaction() as session:
        assert await services.points.bonus_for_stars(session, c1, 5) == 0  # off by default
    points = replace(services.points, bonus_five_stars=10)
    async with db.transaction() as session:
        assert await points.bonus_for_stars(session, c1, 4) == 0
        assert await points.bonus_for_stars(session, c1, 5) == 10
        assert await points.bonus_for_stars(session, c1, 5) == 0  # once per place
    assert await balance(db, v1.id) == 70
    (bonus,) = await movements(db, MovementKind.BONUS)
    assert bonus.key == f"bonus:five:{c1}"


async def test_a_coordinator_adjusts_within_their_unit_with_a_reason(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    (v1,) = await volunteers(db, org, 1)
    coordinator = await boss(services)
    done = await services.points.adjust(coordinator, v1.id, 25, "  组织活动有功 ")
    assert done.volunteer.balance == 25 and done.reason == "组织活动有功"
    (entry,) = await audit_rows(db, "points.adjust")
    assert entry.detail == {"amount": 25, "reason": "组织活动有功"}
    (m,) = await movements(db, MovementKind.ADJUST)
    assert m.audit_id == entry.id and m.actor_id == coordinator.id and m.reason == "组织活动有功"
    told = await outbox_text(db, f"points.adjusted:{entry.id}")
    assert told is not None and "组织活动有功" in told

    street = await boss(services, STREET)
    assert (await services.points.adjust(street, v1.id, -5, "更正")).volunteer.balance == 20
    with pytest.raises(InsufficientPoints) as refused:
        await services.points.adjust(coordinator, v1.id, -21, "扣分")
    assert refused.value.balance == 20
    with pytest.raises(InvalidValue):
        await services.points.adjust(coordinator, v1.id, 10, "   ")
    with pytest.raises(InvalidValue):
        await services.points.adjust(coordinator, v1.id, 0, "零")
    with pytest.raises(NotInScope):
        await services.points.adjust(await boss(services, OTHER_COMMUNITY), v1.id, 10, "x")
    with pytest.raises(NotInScope):
        await services.points.volunteer_points(await boss(services, OTHER_COMMUNITY), v1.id)
    with pytest.raises(NotAllowed):
        await services.points.adjust(v1, v1.id, 10, "自己加分")
    with pytest.raises(NotFound):
        await services.points.adjust(coordinator, 999_999, 10, "x")
    assert await balance(db, v1.id) == 20
    assert len(await audit_rows(db, "points.adjust")) == 2
    await check_ledger(db)


async def test_transfers_never_overdraw_also_at_once(
    db: Database, services: Services, org: Org
) -> None:
    giver, taker = await volunteers(db, org, 2)
    coordinator = await boss(services)
    await services.points.adjust(coordinator, giver.id, 50, "奖励")
    with pytest.raises(InsufficientPoints):
        await services.points.transfer(giver, 51, to_user=taker.id)
    with pytest.raises(InvalidValue):
        await services.points.transfer(giver, 10, to_user=giver.id)
    with pytest.raises(NotFound):
        await services.points.transfer(giver, 10, to_user=coordinator.id)  # not a volunteer

    # ten transfers of 10 from a balance of 50, at once: exactly five go through
    results = await asyncio.gather(
        *(services.points.transfer(giver, 10, to_user=taker.id) for _ in range(10)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 5
    assert all(isinstance(r, InsufficientPoints) for r in results if isinstance(r, BaseException))
    assert await balance(db, giver.id) == 0 and await balance(db, taker.id) == 50

    fund = await services.points.fund_target(taker)
    assert fund.unit is not None and fund.unit.code == COMMUNITY
    done = await services.points.transfer(taker, 15, to_fund=True)
    assert done.balance == 35
    found = await services.points.transfer_target(taker, str(giver.telegram_id))
    assert found.user_id == giver.id
    await check_ledger(db)

    closed = replace(services.points, transfers=False)
    with pytest.raises(TransfersOff):
        await closed.transfer(taker, 5, to_user=giver.id)


async def test_the_passbook_is_ones_own_and_paged(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    coordinator, order, (v1, v2), _ = await completed(db, services, org, clock)
    for n in range(11):
        await services.points.adjust(coordinator, v1.id, 5, f"第{n}次")
    await services.points.transfer(v1, 20, to_user=v2.id)
    first = await services.points.passbook(v1, 0)
    assert first.total == 13 and first.pages == 2 and len(first.items) == 10
    newest = first.items[0]
    assert newest.kind == MovementKind.TRANSFER and newest.amount == -20
    assert newest.balance == 60 + 55 - 20 and newest.other_name
    last = await services.points.passbook(v1, 99)  # past the end: the last page
    assert last.page == 1 and len(last.items) == 3
    earn = last.items[-1]
    assert earn.kind == MovementKind.EARN and earn.order_number == order.number
    assert earn.category is not None and earn.amount == 60 and earn.balance == 60
    # the other volunteer's passbook shows only theirs
    theirs = await services.points.passbook(v2, 0)
    assert [e.kind for e in theirs.items] == [MovementKind.TRANSFER, MovementKind.EARN]
    assert theirs.items[0].amount == 20
    nobody = await person(services, 7_300_001)
    assert (await services.points.passbook(nobody, 0)).total == 0

    summary = await services.points.summary(v1)
    assert summary.balance == 95
    assert summary.month.minutes == summary.year.minutes == summary.total.minutes == 120
    assert summary.total.points == 60 + 55  # earned: the transfer is not earning
    clock.advance(days=40)  # next month (March → April)
    later = await services.points.summary(v1)
    assert later.month.minutes == 0 and later.month.points == 0 and later.year.points == 115


async def test_the_rate_is_checked_against_the_configured_limits(
    services: Services, org: Org
) -> None:
    with pytest.raises(InvalidValue) as low:
        await activity(services, org, 1, points_rate=0.4)
    assert low.value.reason == "limits" and low.value.values == {"min": "0.5", "max": "20"}
    with pytest.raises(InvalidValue):
        await activity(services, org, 1, points_rate=21)
    order = await activity(services, org, 1, points_rate=20, hours=1.5)
    assert services.orders.place_points(order) == 300
    default = await activity(services, org, 1)
    assert services.orders.place_points(default) == 60


async def test_the_crediting_bench_books_every_place() -> None:
    from bench.crediting import crediting

    result = await crediting(places=5)
    assert result["earns"] == 5 and result["points_each"] == 6.0
