"""End to end over HTTP: a coordinator reviews and publishes a resident's request, the
announcement reaches the community's volunteers through the outbox, three of them grab
two places (one waitlisted, then promoted when a place frees), guidance is confirmed;
rights and privacy hold throughout — in Chinese and in English."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.i18n import get_translator
from bot.messages.common import local_time
from bot.services.kernel.dto import OrderDTO
from bot.services.people.users import TelegramIdentity
from bot.services.requests.forms import OrderForm
from bot.services.requests.publish import Publication
from sandbox import Sandbox
from storage.models import Claim, Order, User
from tests.support.bot import RunningBot
from tests.support.chat import approve_in_chat, give_up_place, private_leaks, shown
from tests.support.people import add_approved_volunteers

COMMUNITY = "longyang.longhudongan"
OTHER_COMMUNITY = "yongfeng.longmo"
COORDINATOR_ID = 9101
OTHER_COORDINATOR_ID = 9102
RESIDENT_ID = 1001
VOLUNTEER_IDS = (2001, 2002, 2003, 2004)  # the fourth only sees the announcement
PHONE = "+8613800138000"
ADDRESS = "龙湖东岸 3 栋 2 单元 401"


async def approved_volunteers(bot: RunningBot, language: str) -> None:
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    await add_approved_volunteers(
        bot.db,
        community.id,
        VOLUNTEER_IDS,
        language=language,
        real_name=lambda tid: f"Volunteer {tid}",
    )


async def pending_order(bot: RunningBot, language: str) -> OrderDTO:
    resident = await bot.services.users.touch(
        TelegramIdentity(telegram_id=RESIDENT_ID, first_name="王芳", language_code=language)
    )
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    form = OrderForm(
        category="elderly_visit",
        description="陪老人聊天 <b>&",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        community_id=community.id,
        address=ADDRESS,
        contact_phone="138 0013 8000",
        helpers_requested=2,
    )
    return await bot.services.orders.create_request(resident, form)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_review_publish_grab_waitlist(
    bot: RunningBot, sandbox: Sandbox, language: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="handlers")
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    await bot.services.coordinators.add_admin(OTHER_COORDINATOR_ID, OTHER_COMMUNITY, label="t")
    await approved_volunteers(bot, language)
    order = await pending_order(bot, language)

    # --- the coordinator reviews and publishes ---------------------------------------
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    await coordinator.command("/lang")  # any first contact; the language is Telegram's
    listing = await approve_in_chat(
        coordinator, t, order.number, 2, "Bring a shopping bag", bot.services.orders.default_rate
    )
    assert PHONE in listing.text and "&lt;b&gt;&amp;" in listing.html  # escaped

    # --- the announcement reaches the four volunteers through the outbox ---------------
    v1, v2, v3, v4 = (sandbox.user(tid, language_code=code) for tid in VOLUNTEER_IDS)
    grab = t.plain("grab.button_grab")
    for v in (v1, v2, v3, v4):
        note = await v.wait_for(order.number, timeout=15)
        assert PHONE not in note.text and ADDRESS not in note.text
        assert grab in note.buttons[0]

    got = await v1.press(grab)
    assert got.show_alert and got.text == t.plain("grab.got_alert", number=order.number)
    place = await v1.wait_for(ADDRESS)
    kind = await bot.services.org.category("elderly_visit")
    if kind is not None and kind.guidance_zh:  # the category's guidance, then the order's
        assert kind.guidance(language).split()[0] in place.text
    assert (await v2.press(grab)).text == got.text
    await v2.wait_for(PHONE)
    full = await v3.press(grab)
    assert full.show_alert and full.text == t.plain("error.slots_full")
    await v3.wait_for(shown(t, "grab.full"))
    await v3.press(t.plain("grab.button_join_waitlist"))
    await v3.wait_for(shown(t, "grab.waitlisted", number=order.number))

    # guidance confirmed and recorded
    assert "Bring a shopping bag" in (v1.last.text if v1.last else "")
    await v1.press(t.plain("grab.button_guidance_read"))
    await v1.wait_for(predicate=lambda m: not any(t.plain("grab.button_guidance_read") in r
                                                  for row in m.buttons for r in row))  # fmt: skip

    # v2 cancels; v3 is offered the place and accepts
    await give_up_place(v2, t)  # it asks first
    await v2.wait_for(shown(t, "grab.cancelled", number=order.number))
    offer = await v3.wait_for(order.number, predicate=lambda m: bool(m.buttons), timeout=15)
    await v3.press(t.plain("button.accept_offer"), message=offer)
    await v3.wait_for(ADDRESS)

    async with bot.db.read() as s:
        stored = await s.get(Order, order.id)
        claims = {c.volunteer_id: c for c in await s.scalars(select(Claim))}
        ids = dict((await s.execute(select(User.telegram_id, User.id))).all())
    assert stored is not None and stored.taken == 2 and stored.state == "filled"
    assert claims[ids[2001]].state == "claimed" and claims[ids[2001]].guidance_confirmed_at
    assert claims[ids[2002]].state == "cancelled"
    assert claims[ids[2003]].state == "claimed"

    # --- rights: review buttons and forged data are refused -------------------------------
    resident = sandbox.user(RESIDENT_ID, first_name="王芳", language_code=code)
    await resident.command("/lang")
    await resident.next_reply()
    other = sandbox.user(OTHER_COORDINATOR_ID, first_name="Other", language_code=code)
    await other.command("/lang")
    await other.next_reply()
    forged = f"rd:{order.id}:0"
    msg = offer.message_id
    refusals = [
        (await resident.press_data(msg, forged)).text,
        (await v4.press_data(msg, forged)).text,
        (await other.press_data(msg, forged)).text,
        (await v4.press_data(msg, f"gc:{claims[ids[2001]].id}")).text,  # another's place
        (await v4.press_data(msg, f"gg:{claims[ids[2003]].id}")).text,
    ]
    assert refusals == [
        t.plain("error.not_allowed"),
        t.plain("error.not_allowed"),
        t.plain("error.not_in_scope"),
        t.plain("error.not_found"),
        t.plain("error.not_found"),
    ]
    assert len([r for r in caplog.records if "refused press" in r.getMessage()]) >= 5
    async with bot.db.read() as s:
        assert (await s.get(Claim, claims[ids[2001]].id)).state == "claimed"  # type: ignore[union-attr]

    # --- privacy: the phone and address only reach the entitled ---------------------------
    entitled = {COORDINATOR_ID, 2001, 2002, 2003, RESIDENT_ID}
    assert private_leaks(sandbox, (PHONE, ADDRESS), entitled) == []
    assert all(PHONE not in m for m in sandbox.all_bot_messages() if order.number in m
               and t.plain("grab.button_grab") in m)  # fmt: skip


async def test_volunteer_browses_and_grabs_open_orders(bot: RunningBot, sandbox: Sandbox) -> None:
    t = get_translator("en")
    await approved_volunteers(bot, "en")
    here = await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="t")
    there = await bot.services.coordinators.add_admin(OTHER_COORDINATOR_ID, OTHER_COMMUNITY, "t")
    assert here and there
    orders = []
    for tid, code in ((COORDINATOR_ID, COMMUNITY), (OTHER_COORDINATOR_ID, OTHER_COMMUNITY)):
        actor = await bot.services.users.get(tid)
        unit = await bot.services.org.unit_by_code(code)
        assert unit is not None
        starts = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
        form = OrderForm(
            category="shopping",
            description="浓情重阳节·温暖志愿行",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            community_id=unit.id,
            address=ADDRESS,
            contact_phone="138 0013 8000",
            helpers_requested=20,
        )
        orders.append(
            await bot.services.orders.create_activity(actor, form, Publication(places=20))
        )
    mine, elsewhere = orders

    v = sandbox.user(VOLUNTEER_IDS[0], first_name="Alice", language_code="en")
    await v.command("/orders")
    listing = await v.wait_for(shown(t, "orders.list_title", total=1, page=1, pages=1))
    assert mine.number in listing.text and elsewhere.number not in listing.text
    assert PHONE not in listing.text and ADDRESS not in listing.text
    # an order of another street's community is for its volunteers: not listed, and a
    # grab of it is refused, saying whose it is
    await v.press(t.plain("orders.tab_street"))
    street = await v.wait_for(mine.number, predicate=lambda m: m.message_id == listing.message_id)
    assert elsewhere.number not in street.text
    refused = await v.press_data(listing.message_id, f"gr:{elsewhere.id}")
    there = await bot.services.org.unit(elsewhere.community_id)
    assert there is not None
    assert refused.text == t.plain("grab.outside_area", area=there.name("en"))
    got = await v.press(t.plain("orders.button_grab", number=mine.number))
    assert got.text == t.plain("grab.got_alert", number=mine.number)
    await v.wait_for(ADDRESS)

    # an order that opens tomorrow: told when, in the configured timezone
    actor = await bot.services.users.get(COORDINATOR_ID)
    opens = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
    starts = opens + timedelta(days=1)
    later = await bot.services.orders.create_activity(
        actor,
        OrderForm(
            category="shopping",
            description="明天开放",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            community_id=mine.community_id,
            address=ADDRESS,
            contact_phone="138 0013 8000",
            helpers_requested=1,
        ),
        Publication(places=1, opens_at=opens),
    )
    when = local_time(opens, bot.services.orders.timezone)
    refused = await v.press_data(listing.message_id, f"gr:{later.id}")
    assert refused.show_alert and refused.text == t.plain("grab.not_open_yet", opens=when)

    resident = sandbox.user(RESIDENT_ID, first_name="Wang", language_code="en")
    await resident.command("/orders")
    await resident.wait_for(shown(t, "error.not_allowed"))
