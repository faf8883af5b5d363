"""End to end over HTTP: a street's coordinator publishes an activity of their own
(/activity, e.g. 浓情重阳节·温暖志愿行, 20 places) that skips review; bad answers to the
publishing questions are refused kindly and asked again with nothing lost; the
community's volunteers are told and grab straight away; residents and volunteers may
not publish — in Chinese and in English."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.i18n import get_translator
from sandbox import Sandbox
from storage.models import Order
from tests.support.bot import RunningBot
from tests.support.chat import prompt, shown
from tests.support.people import add_approved_volunteers

ZONE = ZoneInfo("Asia/Shanghai")
STREET = "longyang"
COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9401
VOLUNTEER_ID = 2401
TITLE = "浓情重阳节·温暖志愿行"
TEXT = "陪社区老人包饺子、量血压，9 点在活动室集合 <b>&"
GUIDANCE = "<b>带上身份证</b> & 水杯"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_coordinator_publishes_an_activity(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    services = bot.services
    await services.coordinators.add_admin(COORDINATOR_ID, STREET, label="test")
    community = await services.org.unit_by_code(COMMUNITY)
    assert community is not None
    await add_approved_volunteers(bot.db, community.id, [VOLUNTEER_ID], language=language)
    volunteer = sandbox.user(VOLUNTEER_ID, language_code=code)
    c = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)

    await c.command("/activity")
    await c.wait_for(prompt(t, "activity.intro"))
    await c.wait_for(prompt(t, "request.ask_community"))
    await c.press(community.name(language))
    # about the activity, not "what do you need help with?" (issue 12, item 16)
    await c.wait_for(shown(t, "activity.ask_category"))
    kind = await services.org.category("elderly_visit")
    assert kind is not None
    await c.press(kind.name(language))
    await c.wait_for(prompt(t, "activity.ask_title"))
    await c.send("   ")
    await c.wait_for(shown(t, "invalid.title.empty"))
    await c.wait_for(prompt(t, "activity.ask_title"))
    await c.send("节" * 101)
    await c.wait_for(shown(t, "invalid.title.too_long", max=100, length=101))
    await c.send(TITLE)
    await c.wait_for(prompt(t, "activity.ask_description"))
    await c.send(TEXT)
    await c.wait_for(prompt(t, "request.ask_day"))
    day = (datetime.now(ZONE) + timedelta(days=5)).date()
    await c.send(f"{day.isoformat()} 09:00-11:30")
    await c.wait_for(prompt(t, "activity.ask_place"))
    await c.send("龙湖东岸社区活动室")
    await c.wait_for(prompt(t, "ask.phone"))
    await c.send("027-8484 1234")  # a landline: fine for an activity's contact
    ask_places = shown(t, "review.ask_places", max=200)
    await c.wait_for(ask_places)
    for bad in ("500", "0", "twenty"):
        await c.send(bad)
        await c.wait_for(shown(t, "invalid.places.range", min=1, max=200))
        await c.wait_for(ask_places)
    await c.send("20")
    default_rate = t.plain("review.button_default_rate", rate=services.orders.default_rate)
    await c.wait_for(predicate=lambda m: any(default_rate in row for row in m.buttons))
    await c.press(default_rate)
    await c.wait_for(shown(t, "review.ask_team"))
    await c.press(t.plain("review.button_any_team"))
    ask_guidance = await c.wait_for(shown(t, "review.ask_guidance"))
    assert kind.guidance(language) in ask_guidance.text  # what volunteers will read anyway
    await c.send("x" * 10_000)
    await c.wait_for(shown(t, "invalid.guidance.too_long", max=2000, length=10_000))
    await c.wait_for(shown(t, "review.ask_guidance"))
    await c.send(GUIDANCE)
    await c.wait_for(shown(t, "review.ask_opens"))
    await c.send("next week")
    await c.wait_for(prompt(t, "invalid.opens_at.format"))
    await c.wait_for(shown(t, "review.ask_opens"))
    await c.send(f"{(day + timedelta(days=1)).isoformat()} 08:00")  # after the start
    await c.wait_for(shown(t, "invalid.opens_at.after_start"))
    await c.wait_for(shown(t, "review.ask_opens"))
    await c.send("2020-01-01 08:00")  # already past (issue 12, item 18)
    await c.wait_for(shown(t, "invalid.opens_at.past"))
    await c.wait_for(shown(t, "review.ask_opens"))
    await c.press(t.plain("review.button_open_now"))
    await c.wait_for(shown(t, "review.ask_scope"))
    await c.press(t.plain("review.button_scope_community"))
    published = await c.wait_for(prompt(t, "activity.published"))
    for resident_question in ("request.ask_category", "request.ask_description"):
        assert not [m for m in c.all_messages if prompt(t, resident_question) in m.content]

    async with bot.db.read() as s:
        [order] = await s.scalars(select(Order))
    assert order.number is not None and order.number in published.text
    assert (order.state, order.places, order.helpers_requested) == ("open", 20, 20)
    assert (order.title, order.description, order.guidance, order.community_id) == (
        TITLE,
        TEXT,
        GUIDANCE,
        community.id,
    )
    assert order.starts_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") == f"{day} 09:00"

    # no review: the community's volunteer is told — the activity's own title and text,
    # not "category: other" alone (issue 12, item 10) — and grabs at once
    grab = t.plain("grab.button_grab")
    told = await volunteer.wait_for(order.number, predicate=lambda m: bool(m.buttons), timeout=15)
    assert TITLE in told.text and TEXT in told.text and told.html is not None
    assert f"<b>{TITLE}</b>" in told.html and "&lt;b&gt;&amp;" in told.html
    await volunteer.command("/orders")
    listed = await volunteer.wait_for(TITLE, predicate=lambda m: bool(m.buttons))
    assert t.plain("orders.button_grab", number=order.number) in str(listed.buttons)
    got = await volunteer.press(grab, message=told)
    assert got.text == t.plain("grab.got_alert", number=order.number)
    place = await volunteer.wait_for("龙湖东岸社区活动室", predicate=lambda m: GUIDANCE in m.text)
    assert TITLE in place.text and TEXT in place.text
    assert GUIDANCE in place.text and "&lt;b&gt;带上身份证&lt;/b&gt; &amp; 水杯" in place.html

    # residents and volunteers may not publish
    await volunteer.command("/activity")
    await volunteer.wait_for(shown(t, "error.not_allowed"))
