"""End to end over HTTP, on the bot's injectable clock: volunteers check in from
/myplaces (one shares a location, one skips it), the start, the forgotten check-out and
the requester's confirmation arrive through the durable jobs and the outbox; the
coordinator sees the order's attendance and records, corrects hours (a reason,
escaped), forged and out-of-scope presses are refused, the requester's button
completes the order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.i18n import get_translator
from bot.messages.common import local_time
from bot.services.people.users import TelegramIdentity
from bot.services.requests.forms import OrderForm
from bot.services.requests.publish import Publication
from sandbox import Sandbox
from storage.models import AuditEntry, Claim, Order, OutboxMessage
from tests.support.bot import RunningBot
from tests.support.chat import shown
from tests.support.people import add_approved_volunteers
from tests.support.services import FakeClock

COMMUNITY = "longyang.longhudongan"
OTHER_COMMUNITY = "yongfeng.longmo"
COORDINATOR_ID = 9201
OTHER_COORDINATOR_ID = 9202
RESIDENT_ID = 1201
VOLUNTEER_IDS = (2201, 2202)
ADDRESS = "龙湖东岸 5 栋 1 单元 202"
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
STARTS = NOW + timedelta(days=1)
ENDS = STARTS + timedelta(hours=2)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def bot(bot_on_clock: RunningBot) -> RunningBot:
    return bot_on_clock


async def setup_order(bot: RunningBot, language: str) -> tuple[int, str, list[int]]:
    """A resident's request, published by the coordinator, both places grabbed."""
    services = bot.services
    await services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    await services.coordinators.add_admin(OTHER_COORDINATOR_ID, OTHER_COMMUNITY, label="test")
    community = await services.org.unit_by_code(COMMUNITY)
    assert community is not None
    await add_approved_volunteers(
        bot.db,
        community.id,
        VOLUNTEER_IDS,
        language=language,
        real_name=lambda tid: f"志愿者<{tid}>",
        consent_at=NOW,
    )
    code = "zh-hans" if language == "zh_CN" else "en"
    resident = await services.users.touch(
        TelegramIdentity(telegram_id=RESIDENT_ID, first_name="王芳", language_code=code)
    )
    form = OrderForm(
        category="elderly_visit",
        description="陪老人去医院复诊",
        starts_at=STARTS,
        ends_at=ENDS,
        community_id=community.id,
        address=ADDRESS,
        contact_phone="138 0013 8000",
        helpers_requested=2,
    )
    order = await services.orders.create_request(resident, form)
    coordinator = await services.users.get(COORDINATOR_ID)
    await services.orders.approve(coordinator, order.id, Publication(places=2))
    volunteers = []
    for tid in VOLUNTEER_IDS:
        volunteers.append((await services.claims.grab(await services.users.get(tid), order.id)).id)
    return order.id, order.number, volunteers


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_check_in_out_correct_and_complete(
    bot: RunningBot, sandbox: Sandbox, clock: FakeClock, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    order_id, number, (claim1, claim2) = await setup_order(bot, language)
    v1, v2 = (sandbox.user(tid, language_code=code) for tid in VOLUNTEER_IDS)
    resident = sandbox.user(RESIDENT_ID, first_name="王芳", language_code=code)
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    other = sandbox.user(OTHER_COORDINATOR_ID, first_name="Other", language_code=code)
    check_in = t.plain("attendance.button_check_in", number=number)
    check_out = t.plain("attendance.button_check_out", number=number)

    # --- too early: the place is listed (with the address), no check-in button yet -------
    clock.advance(hours=23, minutes=20)  # 40 minutes before the start
    await v1.command("/myplaces")
    listing = await v1.wait_for(shown(t, "myplaces.title", count=1))
    contact = t.plain("attendance.button_contact", number=number)
    assert ADDRESS not in listing.text and listing.buttons == [[contact]]
    await v1.press(contact)  # the place message again: recorded, to be hidden later
    place = await v1.wait_for(ADDRESS)
    assert t.plain("grab.button_cancel_place") in str(place.buttons)

    # --- check in: v1 shares a location, v2 skips it -------------------------------------
    clock.advance(minutes=30)  # 10 minutes before the start
    await v1.command("/myplaces")
    await v1.wait_for(number, predicate=lambda m: any(check_in in row for row in m.buttons))
    alert = await v1.press(check_in)
    assert alert.text == t.plain("attendance.checked_in_alert", number=number)
    opens = local_time(STARTS, bot.config.general.timezone)
    checked_in = await v1.wait_for(shown(t, "attendance.checked_in", number=number,
                                         time=local_time(clock.now(), "Asia/Shanghai"),
                                         opens=opens))  # fmt: skip
    assert not checked_in.buttons  # check-out opens at the start, as the message says
    await v1.wait_for(shown(t, "attendance.ask_location_or_skip"))
    await v1.tap(t.plain("attendance.button_share_location"), latitude=30.55, longitude=114.26)
    await v1.wait_for(shown(t, "attendance.location_saved"))

    await v2.command("/myplaces")
    await v2.wait_for(number, predicate=lambda m: any(check_in in row for row in m.buttons))
    await v2.press(check_in)
    await v2.wait_for(shown(t, "attendance.ask_location_or_skip"))
    await v2.press(t.plain("button.skip"))
    await v2.wait_for(shown(t, "attendance.location_skipped"))
    await v2.command("/myplaces")  # checked in, before the start: when check-out opens
    mine = await v2.wait_for(shown(t, "myplaces.check_out_opens", time=opens))
    assert not any(check_out in row for row in mine.buttons)

    # --- forged and out-of-scope presses are refused ---------------------------------------
    await resident.command("/lang")
    await resident.next_reply()
    await other.command("/lang")
    await other.next_reply()
    msg = v2.last.message_id if v2.last else 0
    refusals = [
        (await v2.press_data(msg, f"ao:{claim1}")).text,  # another's place
        (await v2.press_data(msg, "ai:999999")).text,
        (await resident.press_data(msg, f"av:{order_id}")).text,
        (await other.press_data(msg, f"av:{order_id}")).text,
        (await other.press_data(msg, f"sc:{order_id}")).text,
        (await v1.press_data(msg, f"ah:{claim2}")).text,
        (await v1.press_data(msg, "ao:x")).text,
    ]
    assert refusals == [
        t.plain("error.not_found"),
        t.plain("error.not_found"),
        t.plain("error.not_allowed"),
        t.plain("error.not_in_scope"),
        t.plain("error.not_in_scope"),
        t.plain("error.not_allowed"),
        t.plain("error.stale"),
    ]

    # --- the start: the resident is told -------------------------------------------------------
    clock.advance(minutes=20)
    await bot.run_due_jobs()
    await resident.wait_for(shown(t, "order.told_in_service", number=number), timeout=15)

    # --- v1 checks out; v2 forgets and is checked out at end + grace ------------------------
    clock.advance(hours=1, minutes=55)  # 5 minutes after the end
    await v1.command("/myplaces")
    await v1.wait_for(number, predicate=lambda m: any(check_out in row for row in m.buttons))
    await v1.press(check_out)
    await v1.wait_for(
        shown(t, "attendance.checked_out", 135, number=number, minutes=135, hours="2.25")
    )
    clock.advance(minutes=25)
    await bot.run_due_jobs()
    told = shown(
        t, "attendance.told_auto_checked_out", 130, number=number, minutes=130, hours="2.17"
    )
    await v2.wait_for(told, timeout=15)
    ask = await resident.wait_for(shown(t, "order.ask_confirm_service", number=number), timeout=15)
    assert ask.buttons == [[t.plain("order.button_confirm_service")]]

    # --- the coordinator's view, and a correction with a reason -------------------------------
    await coordinator.command("/order")
    live = await coordinator.wait_for(number)
    assert "0/2" not in live.text  # served in full: no count of places given back
    await coordinator.press(t.plain("attendance.button_view_order", number=number))
    view = await coordinator.wait_for(shown(t, "attendance.view_completable"))
    assert shown(t, "attendance.view_attended", came=2, places=2) in view.text  # not 0/2
    assert "志愿者<2201>" in view.text and "&lt;2201&gt;" in view.html  # escaped
    assert t.plain("attendance.flag_auto") in view.text
    assert t.plain("attendance.flag_located") in view.text
    assert t.plain("attendance.guidance_unread") in view.text
    await coordinator.press(t.plain("attendance.button_correct", name="志愿者<2202>"))
    await coordinator.wait_for(shown(t, "attendance.ask_minutes", 130, name="志愿者<2202>",
                                     number=number, minutes=130, max=1440))  # fmt: skip
    await coordinator.send("lots")
    await coordinator.wait_for(shown(t, "invalid.minutes.range", min=0, max=1440))
    await coordinator.send("100")
    await coordinator.wait_for(shown(t, "attendance.ask_reason"))
    await coordinator.send("提前离开 <b>&")
    await coordinator.wait_for(
        shown(t, "attendance.corrected", 100, name="志愿者<2202>", minutes=100, hours="1.67")
    )
    corrected = await v2.wait_for("<b>&", timeout=15)
    assert "&lt;b&gt;&amp;" in corrected.html

    # --- the resident confirms: the order completes; the volunteers are told ------------------
    await resident.press(t.plain("order.button_confirm_service"), message=ask)
    await resident.wait_for(shown(t, "attendance.completed", number=number))
    await v1.wait_for(
        shown(t, "attendance.told_completed", 135, number=number, minutes=135, hours="2.25"),
        timeout=15,
    )
    await v2.wait_for(
        shown(t, "attendance.told_completed", 100, number=number, minutes=100, hours="1.67"),
        timeout=15,
    )
    again = await resident.press_data(ask.message_id, f"sc:{order_id}")  # pressed twice
    assert again.text == t.plain("error.already_decided")
    # one completion message for the resident: the reply to their press, not a notice too
    assert shown(t, "order.told_completed", number=number) not in [
        m.text for m in resident.messages
    ]
    async with bot.db.read() as s:
        keys = set(await s.scalars(select(OutboxMessage.dedup_key)))
    assert f"order.completed:{order_id}" not in keys
    await coordinator.command("/order", number)
    finished = await coordinator.wait_for(shown(t, "myrequests.state_completed"))
    assert shown(t, "attendance.view_attended", came=2, places=2) in finished.text
    assert shown(t, "attendance.view_places", taken=0, places=2) not in finished.text

    # --- a day after the end: the address is hidden from the volunteers --------------------
    clock.advance(hours=24)
    await bot.run_due_jobs()
    hidden = await v1.wait_for(
        shown(t, "contact.hidden"), predicate=lambda m: m.message_id == place.message_id
    )
    assert ADDRESS not in hidden.text and not hidden.buttons
    refused = await v1.press_data(listing.message_id, f"ac:{claim1}")
    assert refused.text == t.plain("error.contact_hidden")

    async with bot.db.read() as s:
        order = await s.get(Order, order_id)
        claims = {c.id: c for c in await s.scalars(select(Claim))}
        audit = list(await s.scalars(select(AuditEntry).where(AuditEntry.action.like("claim.%"))))
    assert order is not None and order.state == "completed" and order.taken == 0
    assert claims[claim1].state == "done" and claims[claim1].minutes == 135
    assert claims[claim1].check_in_latitude == pytest.approx(30.55)
    assert claims[claim2].auto_checked_out and claims[claim2].minutes == 100
    assert claims[claim2].check_in_latitude is None
    assert [(a.action, a.detail["reason"]) for a in audit] == [
        ("claim.correct_hours", "提前离开 <b>&")
    ]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_check_in_after_the_start_offers_the_check_out_at_once(
    bot: RunningBot, sandbox: Sandbox, clock: FakeClock, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    _, number, _ = await setup_order(bot, language)
    late = sandbox.user(VOLUNTEER_IDS[1], language_code=code)
    clock.advance(days=1, minutes=10)  # 10 minutes after the start
    await late.command("/myplaces")
    check_in = t.plain("attendance.button_check_in", number=number)
    await late.wait_for(number, predicate=lambda m: any(check_in in row for row in m.buttons))
    await late.press(check_in)
    when = local_time(clock.now(), bot.config.general.timezone)
    checked_in = await late.wait_for(
        shown(t, "attendance.checked_in_started", number=number, time=when)
    )
    check_out = t.plain("attendance.button_check_out", number=number)
    assert checked_in.buttons == [[check_out]]
    await late.wait_for(shown(t, "attendance.ask_location_or_skip"))
    await late.press(t.plain("button.skip"))
    await late.wait_for(shown(t, "attendance.location_skipped"))
    clock.advance(hours=1)
    await late.press(check_out, message=checked_in)
    await late.wait_for(
        shown(t, "attendance.checked_out", 60, number=number, minutes=60, hours="1")
    )
