"""End to end over HTTP, in Chinese and in English, on the bot's injectable clock: what
reviewers and volunteers see of a request made for someone else (issue 12, items 10,
11 and 22). A resident asks for shopping for 老张, who has no Telegram; the coordinator
sees both people on the review card and publishes "with these defaults", changing
only when grabbing opens; the volunteers read what was asked for in the announcement
(which says when grabbing opens) and in /orders; the one who grabs sees 老张's address
and phone, and the resident as the second contact — and across the whole run, both
people's addresses and phones reach nobody else, and are edited out after the service.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import get_translator
from bot.messages.common import local_time
from bot.services.people.users import TelegramIdentity
from bot.services.requests.forms import OrderForm
from sandbox import Sandbox
from tests.e2e.test_full_loop import at, now_reads, with_button
from tests.e2e.test_request import orders_of, resident
from tests.support.bot import RunningBot
from tests.support.chat import order_secrets, private_leaks, prompt, shown
from tests.support.people import add_approved_volunteers
from tests.support.services import FakeClock

ZONE = ZoneInfo("Asia/Shanghai")
COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9501
RESIDENT_ID = 1501  # registered through /start as "Li"
HOLDER, BYSTANDER = 2501, 2502
DESCRIPTION = "买些米、油和蔬菜，大约200元"
REQUESTER_ADDRESS = "龙湖东岸 7 栋 2 单元 301"
REQUESTER_PHONE = "+8613800138000"
NAME, PHONE, ADDRESS = "老张", "+8613900139000", "七里庙 5 栋 1 单元 302"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
DAY = NOW.astimezone(ZONE).date() + timedelta(days=3)
STARTS = datetime.combine(DAY, datetime.min.time(), ZONE) + timedelta(hours=9)
ENDS = STARTS + timedelta(hours=2)
OPENS = datetime.combine(DAY - timedelta(days=1), datetime.min.time(), ZONE) + timedelta(hours=20)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def bot(bot_on_clock: RunningBot) -> RunningBot:
    return bot_on_clock


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_both_people_reach_the_reviewer_and_the_volunteer_who_goes(
    bot: RunningBot, sandbox: Sandbox, clock: FakeClock, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    services = bot.services
    await services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    community = await services.org.unit_by_code(COMMUNITY)
    shopping = await services.org.category("shopping")
    assert community is not None and shopping is not None
    await add_approved_volunteers(bot.db, community.id, (HOLDER, BYSTANDER), language=language)
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    holder, bystander = (sandbox.user(tid, language_code=code) for tid in (HOLDER, BYSTANDER))

    # --- the resident asks for 老张 ----------------------------------------------------
    r = await resident(bot, sandbox, RESIDENT_ID, code)
    await r.command("/request")
    await r.wait_for(prompt(t, "request.ask_category"))
    await r.press(shopping.name(language))
    await r.wait_for(prompt(t, "request.ask_description"))
    await r.send(DESCRIPTION)
    await r.wait_for(prompt(t, "request.ask_day"))
    await r.send(f"{DAY.isoformat()} 09:00-11:00")
    await r.wait_for(prompt(t, "request.ask_place"))
    await r.send(REQUESTER_ADDRESS)
    await r.wait_for(prompt(t, "ask.phone"))
    await r.send("138 0013 8000")
    await r.wait_for(prompt(t, "request.ask_helpers"))
    await r.press("2")
    await r.wait_for(prompt(t, "request.ask_behalf"))
    await r.press(t.plain("request.button_for_other"))
    await r.wait_for(shown(t, "request.ask_b_name"))
    await r.send(NAME)
    await r.wait_for(shown(t, "request.ask_b_phone"))
    await r.send("139 0013 9000")
    await r.wait_for(shown(t, "request.ask_b_address"))
    await r.send(ADDRESS)
    await r.wait_for(prompt(t, "request.summary"))
    await r.press(t.plain("request.button_submit"))
    await r.wait_for(prompt(t, "request.created"))
    [order] = await orders_of(bot, RESIDENT_ID)
    number = order.number
    assert number is not None

    # --- the review card shows both people (item 11) -------------------------------------
    await coordinator.wait_for(number, timeout=15)  # told of the new request
    await coordinator.command("/review")
    card = await coordinator.wait_for(number, predicate=lambda m: bool(m.buttons))
    requester = shown(
        t,
        "review.card_requester",
        name="Li",
        community=community.name(language),
        address=REQUESTER_ADDRESS,
        phone=REQUESTER_PHONE,
    )
    helped = shown(t, "review.card_behalf", name=NAME, address=ADDRESS, phone=PHONE)
    assert requester in card.text and helped in card.text and DESCRIPTION in card.text

    # --- published "with these defaults", grabbing opening later (item 22, item 18) -------
    await coordinator.press(t.plain("review.button_defaults", number=number), message=card)
    summary = await coordinator.wait_for(prompt(t, "review.defaults"))
    assert shown(t, "review.defaults_open_now") in summary.text
    assert shopping.guidance(language) in summary.text  # what volunteers will read
    assert t.plain("review.button_scope_community") in summary.text
    await coordinator.press(t.plain("review.edit_opens"), message=summary)
    await coordinator.wait_for(shown(t, "review.ask_opens"))
    await coordinator.send("2020-01-01 08:00")  # already past: refused with the reason
    await coordinator.wait_for(shown(t, "invalid.opens_at.past"))
    await coordinator.wait_for(shown(t, "review.ask_opens"))
    opens = local_time(OPENS, "Asia/Shanghai")
    await coordinator.send(opens)
    opening = shown(t, "review.defaults_opens", opens=opens)
    summary = await coordinator.wait_for(
        opening, predicate=with_button(t.plain("review.button_publish"))
    )
    await coordinator.press(t.plain("review.button_publish"), message=summary)
    await coordinator.wait_for(shown(t, "review.approved", number=number))
    [published] = await orders_of(bot, RESIDENT_ID)
    assert (published.state, published.places, published.scope) == ("open", 2, "community")
    assert published.opens_at == OPENS and published.guidance is None
    assert published.points_rate == services.orders.default_rate

    # --- the volunteers read what was asked for, and when grabbing opens (item 10) --------
    grab = t.plain("grab.button_grab")
    notes = [
        await v.wait_for(number, predicate=with_button(grab), timeout=15)
        for v in (holder, bystander)
    ]
    for note in notes:
        assert DESCRIPTION in note.text
        assert shown(t, "grab.announced_opens", opens=opens) in note.text
    await holder.command("/orders")
    listed = await holder.wait_for(DESCRIPTION, predicate=lambda m: bool(m.buttons))
    assert shown(t, "orders.card_opens", opens=opens) in listed.text
    early = await holder.press(grab, message=notes[0])
    assert early.text == t.plain("grab.not_open_yet", opens=opens)

    # --- the volunteer who grabs: 老张 to go to and call, the resident second (item 11) ---
    await at(bot, clock, OPENS + timedelta(minutes=1))
    got = await holder.press(grab, message=notes[0])
    assert got.text == t.plain("grab.got_alert", number=number)
    place = await holder.wait_for(ADDRESS)
    assert DESCRIPTION in place.text
    contact = shown(
        t,
        "grab.contact_behalf",
        name=NAME,
        address=ADDRESS,
        phone=PHONE,
        requester="Li",
        requester_phone=REQUESTER_PHONE,
        requester_address=REQUESTER_ADDRESS,
    )
    assert contact in place.text

    # --- a day after the service: both people's details are edited out -------------------
    await at(bot, clock, ENDS + timedelta(hours=24))
    text = await now_reads(sandbox, holder, place.message_id, ADDRESS)
    for detail in (PHONE, NAME, REQUESTER_PHONE, REQUESTER_ADDRESS):
        assert detail not in text
    assert number in text and DESCRIPTION in text

    # --- privacy: across everything the sandbox saw ---------------------------------------
    [stored] = await orders_of(bot, RESIDENT_ID)
    secrets = order_secrets(stored)
    assert set(secrets) == {REQUESTER_ADDRESS, REQUESTER_PHONE, ADDRESS, PHONE}
    entitled = {RESIDENT_ID, COORDINATOR_ID, HOLDER}
    assert private_leaks(sandbox, secrets, entitled) == []


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_an_opening_time_that_passed_before_publishing_opens_at_once(
    bot: RunningBot, sandbox: Sandbox, clock: FakeClock, language: str
) -> None:
    """Issue 12, item 18: the coordinator set grabbing to open in two minutes and
    pressed "publish" three minutes later: it opens now, and they are told so."""
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    services = bot.services
    await services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    community = await services.org.unit_by_code(COMMUNITY)
    assert community is not None
    await add_approved_volunteers(bot.db, community.id, (HOLDER,), language=language)
    resident_user = await services.users.touch(
        TelegramIdentity(telegram_id=RESIDENT_ID, first_name="王芳", language_code=code)
    )
    form = OrderForm(
        category="elderly_visit",
        description=DESCRIPTION,
        starts_at=STARTS,
        ends_at=ENDS,
        community_id=community.id,
        address=REQUESTER_ADDRESS,
        contact_phone=REQUESTER_PHONE,
        helpers_requested=1,
    )
    order = await services.orders.create_request(resident_user, form)
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    await coordinator.command("/review")
    # the review card itself, not the notice of the new request (queued before the
    # coordinator ever wrote, so in the default language, and it may come after /review)
    defaults = t.plain("review.button_defaults", number=order.number)
    card = await coordinator.wait_for(order.number, predicate=with_button(defaults))
    assert "🤝" not in card.text  # a request for oneself: one person on the card
    await coordinator.press(defaults, message=card)
    summary = await coordinator.wait_for(prompt(t, "review.defaults"))
    await coordinator.press(t.plain("review.edit_opens"), message=summary)
    await coordinator.wait_for(shown(t, "review.ask_opens"))
    soon = local_time(clock.now() + timedelta(minutes=2), "Asia/Shanghai")
    await coordinator.send(soon)
    publish = t.plain("review.button_publish")
    summary = await coordinator.wait_for(
        shown(t, "review.defaults_opens", opens=soon), predicate=with_button(publish)
    )
    clock.advance(minutes=3)
    await coordinator.press(publish, message=summary)
    await coordinator.wait_for(shown(t, "review.approved", number=order.number))
    await coordinator.wait_for(shown(t, "review.opened_early"))
    assert (await services.orders.get(order.id)).opens_at is None
    holder = sandbox.user(HOLDER, language_code=code)
    note = await holder.wait_for(order.number, predicate=with_button(t.plain("grab.button_grab")))
    assert shown(t, "grab.announced_open") in note.text
