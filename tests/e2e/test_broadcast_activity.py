"""End to end over HTTP, in Chinese and in English: a street's coordinator broadcasts a
call with an activity attached (places typed, its community, kind, day and window,
place and phone answered as a request's), sees the preview with both buttons and the
activity in the confirmation, and sends it; the volunteers grab its places straight
from the broadcast's message — the first two win, the third is told it is full and
their copy itself offers the waitlist (its mute button kept); the progress message
and /broadcasts count the places taken."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.i18n import get_translator
from bot.messages.broadcasts import category_name
from sandbox import Sandbox
from storage.models import Broadcast, Claim, Order, User
from tests.support.bot import RunningBot
from tests.support.chat import prompt, shown
from tests.support.people import add_approved_volunteers

ZONE = ZoneInfo("Asia/Shanghai")
STREET = "longyang"
COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9601
VOLUNTEERS = (2601, 2602, 2603)
WORDS = "<b>浓情重阳节·温暖志愿行</b>\n周六上午陪老人包饺子"
ADDRESS = "龙湖东岸社区活动室"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_broadcast_s_activity_is_grabbed_from_its_message(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    services = bot.services
    await services.coordinators.add_admin(COORDINATOR_ID, STREET, label="test")
    street = await services.org.unit_by_code(STREET)
    community = await services.org.unit_by_code(COMMUNITY)
    kind = await services.org.category("elderly_visit")
    assert street and community and kind
    await add_approved_volunteers(bot.db, community.id, VOLUNTEERS, language=language)
    first, second, late = (sandbox.user(tid, language_code=code) for tid in VOLUNTEERS)
    c = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)

    await c.command("/broadcast")
    await c.wait_for(shown(t, "broadcast.ask_text"))
    await c.send(WORDS)
    await c.wait_for(shown(t, "broadcast.ask_photo"))
    await c.press(t.plain("broadcast.button_no_photo"))
    await c.wait_for(shown(t, "broadcast.ask_category"))
    await c.press(category_name(t, "activities"))
    await c.wait_for(shown(t, "broadcast.ask_unit", unit=street.name(language)))
    await c.press(t.plain("broadcast.button_all_of", unit=street.name(language)))
    await c.wait_for(shown(t, "broadcast.ask_teams"))
    await c.press(t.plain("button.done"))
    for question in ("broadcast.ask_min_hours", "broadcast.ask_active_days"):
        await c.wait_for(shown(t, question))
        await c.press(t.plain("broadcast.button_any"))
    ask_places = shown(t, "broadcast.ask_places", max=200)
    await c.wait_for(ask_places)
    for bad in ("0", "500", "twenty"):  # refused, asked again
        await c.send(bad)
        await c.wait_for(shown(t, "invalid.places.range", min=1, max=200))
        await c.wait_for(ask_places)
    await c.send("2")
    await c.wait_for(shown(t, "broadcast.ask_activity_community"))
    await c.press(community.name(language))
    await c.wait_for(shown(t, "activity.ask_category"))
    await c.press(kind.name(language))
    await c.wait_for(prompt(t, "request.ask_day"))
    day = (datetime.now(ZONE) + timedelta(days=5)).date()
    await c.send(f"{day.isoformat()} 09:00-11:30")
    await c.wait_for(prompt(t, "activity.ask_place"))
    await c.send(ADDRESS)
    await c.wait_for(prompt(t, "ask.phone"))
    await c.send("027-8484 1234")
    await c.wait_for(shown(t, "broadcast.ask_send_at"))
    await c.press(t.plain("broadcast.button_now"))

    grab = t.plain("broadcast.button_grab", places=2)
    mute = t.plain("broadcast.button_mute", category=category_name(t, "activities"))
    preview = await c.wait_for("浓情重阳节", predicate=lambda m: bool(m.buttons))
    assert preview.html == WORDS and preview.buttons == [[grab], [mute]]
    confirm = await c.wait_for(prompt(t, "broadcast.confirm"))
    assert ADDRESS in confirm.text and kind.name(language) in confirm.text
    assert f"{day.isoformat()} 09:00–11:30" in confirm.text
    assert [t.plain("broadcast.button_edit_activity")] in confirm.buttons
    await c.press(t.plain("broadcast.button_send", count=3))
    await c.wait_for(prompt(t, "broadcast.sent"))
    async with bot.db.read() as s:
        [broadcast] = await s.scalars(select(Broadcast))
        [order] = await s.scalars(select(Order))
    assert broadcast.order_id == order.id
    assert (order.places, order.community_id, order.address) == (2, community.id, ADDRESS)
    # the words' first line its title, the rest its text
    assert (order.title, order.description) == ("浓情重阳节·温暖志愿行", "周六上午陪老人包饺子")

    copies = [
        await v.wait_for("浓情重阳节", predicate=lambda m: bool(m.buttons), timeout=15)
        for v in (first, second, late)
    ]
    assert all(m.html == WORDS and m.buttons == [[grab], [mute]] for m in copies)
    for volunteer, copy in zip((first, second), copies, strict=False):
        answer = await volunteer.press(grab, message=copy)
        assert answer.text == t.plain("grab.got_alert", number=order.number)
        await volunteer.wait_for(ADDRESS, predicate=lambda m: order.number in m.text)
    answer = await late.press(grab, message=copies[2])
    assert answer.text == t.plain("error.slots_full") and answer.show_alert
    join = t.plain("grab.button_join_waitlist")
    offered = await late.wait_for(
        predicate=lambda m: m.message_id == copies[2].message_id and [join] in m.buttons
    )
    assert offered.text.startswith(copies[2].text) and shown(t, "grab.full") in offered.text
    assert offered.buttons == [[join], [mute]]  # it can still be muted
    await late.press(join, message=offered)
    waitlisted = await late.wait_for(
        predicate=lambda m: m.message_id == copies[2].message_id and [join] not in m.buttons
    )
    assert waitlisted.buttons == [[mute]]
    assert shown(t, "grab.waitlisted", number=order.number) in waitlisted.text
    async with bot.db.read() as s:
        claims = await s.execute(
            select(User.telegram_id, Claim.state)
            .join(User, User.id == Claim.volunteer_id)
            .where(Claim.order_id == order.id)
        )
    assert sorted(tuple(row) for row in claims) == [
        (VOLUNTEERS[0], "claimed"),
        (VOLUNTEERS[1], "claimed"),
        (VOLUNTEERS[2], "waitlisted"),
    ]

    # the progress message's report counts the places taken, and so does the list
    places = shown(t, "broadcast.progress_places", taken=2, places=2)
    report = await c.wait_for(prompt(t, "broadcast.report"), timeout=20)
    assert places in report.text
    await c.command("/broadcasts")
    listed = await c.wait_for(f"#{broadcast.id}")
    assert places in listed.text
