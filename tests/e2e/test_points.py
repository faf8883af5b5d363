"""End to end over HTTP, zh and en: an activity at 4 points an hour is announced with what
a place brings; two volunteers serve it (120 and 90 minutes), the coordinator confirms
completion from the order's view, each volunteer is told what they earned and finds the
earn in their /passbook with the right amount and balance, and /points sums it up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import get_translator
from bot.services.requests.forms import OrderForm
from bot.services.requests.publish import Publication
from sandbox import Sandbox
from tests.support.bot import RunningBot, clock_at
from tests.support.chat import language_code, shown, staff
from tests.support.services import FakeClock

COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9401
VOLUNTEER_IDS = (2401, 2402)
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
STARTS = NOW + timedelta(days=1)
ENDS = STARTS + timedelta(hours=2)


clock = clock_at(NOW)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_two_volunteers_earn_and_see_it_in_their_passbooks(
    bot_on_clock: RunningBot, sandbox: Sandbox, clock: FakeClock, language: str
) -> None:
    bot = bot_on_clock
    t, code, services = get_translator(language), language_code(language), bot.services
    community = await staff(bot, COMMUNITY, COORDINATOR_ID, VOLUNTEER_IDS, language)
    v1, v2 = (sandbox.user(tid, language_code=code) for tid in VOLUNTEER_IDS)
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    boss = await services.users.get(COORDINATOR_ID)
    form = OrderForm(
        category="elderly_visit",
        description="重阳节陪老人包饺子",
        starts_at=STARTS,
        ends_at=ENDS,
        community_id=community.id,
        address="龙湖东岸社区活动室",
        contact_phone="138 0013 8000",
        helpers_requested=2,
    )
    order = await services.orders.create_activity(boss, form, Publication(places=2, points_rate=4))
    number = order.number
    # the announcement says what a place brings: 2 hours at 4 an hour
    announced = await v1.wait_for(number)
    assert shown(t, "points.place_brings", points="8", rate="4") in announced.text

    people = [await services.users.get(tid) for tid in VOLUNTEER_IDS]
    claims = [(await services.claims.grab(v, order.id)).id for v in people]
    clock.advance(days=1)
    for v, claim_id in zip(people, claims, strict=True):
        await services.attendance.check_in(v, claim_id)
    clock.advance(minutes=90)
    await services.attendance.check_out(people[1], claims[1])  # 90 minutes
    clock.advance(minutes=30)
    await services.attendance.check_out(people[0], claims[0])  # 120 minutes

    # the coordinator confirms completion from the order's view
    await coordinator.command("/order", number)
    view = await coordinator.wait_for(number)
    assert shown(t, "points.place_brings", points="8", rate="4") in view.text
    await coordinator.press(t.plain("attendance.button_complete"))
    await coordinator.wait_for(shown(t, "attendance.completed", number=number))

    category = await services.org.category("elderly_visit")
    assert category is not None
    name = category.name(language)
    for user, hours, points in ((v1, "2", "8"), (v2, "1.5", "6")):
        told = shown(
            t,
            "points.told_earned",
            number=number,
            category=name,
            hours=hours,
            points=points,
            balance=points,
        )
        await user.wait_for(told, timeout=15)
        await user.command("/passbook")
        book = await user.wait_for(
            shown(t, "passbook.title", 1, balance=points, page=1, pages=1, total=1)
        )
        what = shown(t, "passbook.what_earn", number=number, category=name)
        assert what in book.text and f"+{points}" in book.text
        await user.command("/points")
        summary = await user.wait_for(shown(t, "points.period_total", hours=hours, points=points))
        assert shown(t, "points.period_month", hours=hours, points=points) in summary.text
