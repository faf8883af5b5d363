"""End to end over HTTP: a resident asks for help (点单) through /request, in Chinese and
in English; bad input at every step is refused kindly and nothing is lost, across a
restart; /myrequests lists and cancels, and a forged press is refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.i18n import get_translator
from bot.services.requests.forms import OrderForm
from sandbox import Sandbox
from sandbox.users import SandboxUser
from storage.models import Order, User
from tests.e2e.test_registration import names
from tests.support.bot import RunningBot
from tests.support.chat import prompt, shown

ZONE = ZoneInfo("Asia/Shanghai")


async def resident(bot: RunningBot, sandbox: Sandbox, uid: int, language: str) -> SandboxUser:
    """A resident registered in 龙湖东岸社区 through /start."""
    lang = "zh_CN" if language.startswith("zh") else "en"
    street, community, _ = await names(bot, lang)
    user = sandbox.user(uid, first_name="Li", language_code=language)
    await user.command("/start")
    await user.wait_for(predicate=lambda m: bool(m.buttons))
    await user.press("🙋 我需要帮助（居民）" if lang == "zh_CN" else "🙋 I need help (resident)")
    await user.wait_for(predicate=lambda m: any(street in row for row in m.buttons))
    await user.press(street)
    await user.wait_for(predicate=lambda m: any(community in row for row in m.buttons))
    await user.press(community)
    await user.wait_for(predicate=lambda m: bool(m.buttons) and "🆘" in str(m.buttons))
    return user


async def orders_of(bot: RunningBot, telegram_id: int) -> list[Order]:
    async with bot.db.read() as s:
        user = await s.scalar(select(User).where(User.telegram_id == telegram_id))
        assert user is not None
        rows = await s.scalars(select(Order).where(Order.requester_id == user.id))
        return list(rows)


async def test_resident_requests_help_in_chinese(bot: RunningBot, sandbox: Sandbox) -> None:
    r = await resident(bot, sandbox, 5001, "zh-hans")
    await r.press("🆘 我要点单")
    await r.wait_for("您需要哪方面的帮助")
    await r.press("探访老人")
    await r.wait_for("接单的志愿者会按您留下的电话联系您")  # what to expect
    await r.wait_for("请描述您的需求")
    await r.send("陪张奶奶聊聊天 <b>& 🙂")
    await r.wait_for("哪一天")
    await r.press("明天")
    await r.wait_for("的什么时间")
    await r.press("09:00-11:00")
    where = await r.wait_for("在哪里")
    assert "龙湖东岸" in where.text  # the community is prefilled
    await r.share_location(30.5495, 114.2187)
    await r.wait_for("分享我的手机号")
    await r.send("13800138000")
    await r.wait_for("需要几位志愿者")
    await r.press("2")
    await r.wait_for("代没有 Telegram")
    await r.press("为我自己")
    summary = await r.wait_for("请核对您的点单")
    assert "陪张奶奶聊聊天 <b>& 🙂" in summary.text
    assert summary.html is not None and "&lt;b&gt;&amp;" in summary.html
    await r.press("✅ 提交点单")
    done = await r.wait_for("单号")
    [order] = await orders_of(bot, 5001)
    assert order.number is not None and order.number in done.text
    tomorrow = datetime.now(ZONE).date() + timedelta(days=1)
    assert order.state == "pending_review"
    assert order.category == "elderly_visit"
    assert order.description == "陪张奶奶聊聊天 <b>& 🙂"
    assert order.starts_at == datetime.combine(tomorrow, datetime.min.time(), ZONE) + timedelta(
        hours=9
    )
    assert order.ends_at - order.starts_at == timedelta(hours=2)
    assert (order.latitude, order.longitude) == (30.5495, 114.2187)
    assert order.address == "30.54950, 114.21870"
    assert order.contact_phone == "+8613800138000"
    assert order.helpers_requested == 2
    assert order.beneficiary_name is None
    assert not await guidance_seen(bot, r, "elderly_visit", "zh_CN")


async def guidance_seen(bot: RunningBot, user: SandboxUser, code: str, language: str) -> list[str]:
    """The messages that showed ``user`` the volunteers' guidance of category ``code``
    (issue 12, item 12: a resident reads what to expect, not what volunteers are told)."""
    kind = await bot.services.org.category(code)
    assert kind is not None
    guidance = kind.guidance(language)
    return [m.content for m in user.all_messages if guidance[:12] in m.content]


async def test_bad_input_at_every_step_in_english_survives_a_restart(
    bot: RunningBot, sandbox: Sandbox
) -> None:
    r = await resident(bot, sandbox, 5002, "en-GB")
    await r.command("/request")
    await r.wait_for("What do you need help with?")
    await r.send("shopping")  # text where a button is expected
    await r.wait_for("What do you need help with?")
    await r.press("Shopping and errands")
    await r.wait_for("will call you on the number you give")  # what to expect
    await r.wait_for("describe what you need")
    await r.send("   ")
    await r.wait_for("Please describe what help is needed")
    await r.send("x" * 10_000)
    too_long = await r.wait_for("too long")
    assert "10000" in too_long.text
    await r.wait_for("describe what you need")
    await r.send("Buy <b>& milk 🥛")
    await r.wait_for("Which day?")
    await r.send("2020-01-01 10:00-12:00")
    await r.wait_for("already passed")
    await r.wait_for("Which day?")
    await r.send("next tuesday-ish")
    await r.wait_for("did not understand")
    day = (datetime.now(ZONE) + timedelta(days=3)).date().isoformat()
    await r.send(f"{day} 14:00-12:00")
    await r.wait_for("end must be after the start")
    await r.send(f"{day} 14:00-16:00")  # typed: the time step is skipped
    await r.wait_for("Where?")

    await bot.restart()  # everything so far is in the database

    await r.send("   ")
    await r.wait_for("Where?")
    await r.send("Flat 5 <i>")
    await r.wait_for("Share my phone number")
    await r.send("12345")
    await r.wait_for("not valid")
    await r.send("13800138000")
    await r.wait_for("How many volunteers")
    await r.send("0")
    await r.wait_for("from 1 to 200")
    await r.send("500")
    await r.wait_for("from 1 to 200")
    await r.send("three")
    await r.wait_for("from 1 to 200")
    await r.press("3")
    await r.wait_for("someone without Telegram")
    await r.press("For someone without Telegram")
    await r.wait_for("name of the person")
    await r.send("Grandma Li")
    await r.wait_for("Their phone number")
    await r.send("not a phone")
    await r.wait_for("not valid")
    await r.send("13900139000")
    await r.wait_for("Their address")
    await r.send("Room 3, Building 7")
    summary = await r.wait_for("Please check your request")
    assert "Buy <b>& milk 🥛" in summary.text and "Volunteers: 3" in summary.text
    await r.press("✏️ Volunteers")
    await r.wait_for("How many volunteers")
    await r.press("5")
    summary = await r.wait_for("Please check your request")
    assert "Volunteers: 5" in summary.text and "Grandma Li" in summary.text
    await r.press("✅ Send the request")
    done = await r.wait_for("Its number is")
    [order] = await orders_of(bot, 5002)
    assert order.number is not None and order.number in done.text
    assert order.state == "pending_review"
    assert order.category == "shopping"
    assert order.description == "Buy <b>& milk 🥛"
    assert order.starts_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") == f"{day} 14:00"
    assert order.ends_at.astimezone(ZONE).strftime("%H:%M") == "16:00"
    assert order.address == "Flat 5 <i>"
    assert (order.helpers_requested, order.contact_phone) == (5, "+8613800138000")
    assert order.beneficiary_name == "Grandma Li"
    assert order.beneficiary_phone == "+8613900139000"
    assert order.beneficiary_address == "Room 3, Building 7"
    assert not await guidance_seen(bot, r, "shopping", "en")


async def test_back_and_cancel(bot: RunningBot, sandbox: Sandbox) -> None:
    r = await resident(bot, sandbox, 5003, "en")
    await r.command("/request")
    await r.wait_for("What do you need help with?")
    await r.press("Tutoring")
    await r.wait_for("describe what you need")
    await r.send("Maths homework")
    await r.wait_for("Which day?")
    await r.press("⬅️ Back")
    await r.wait_for("describe what you need")
    await r.command("/cancel")
    await r.wait_for("was not sent")
    assert await orders_of(bot, 5003) == []


async def _order(bot: RunningBot, telegram_id: int, description: str) -> str:
    user = await bot.services.users.get(telegram_id)
    assert user.community_id is not None
    start = datetime.now(ZONE) + timedelta(days=2)
    form = OrderForm(
        category="other",
        description=description,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        community_id=user.community_id,
        address="Room 1",
        contact_phone="13800138000",
        helpers_requested=1,
    )
    return (await bot.services.orders.create_request(user, form)).number


async def test_my_requests_lists_and_cancels_and_refuses_a_forged_press(
    bot: RunningBot, sandbox: Sandbox
) -> None:
    r = await resident(bot, sandbox, 5004, "en")
    other = await resident(bot, sandbox, 5005, "zh-hans")
    first = await _order(bot, 5004, "first")
    second = await _order(bot, 5004, "second")
    await _order(bot, 5005, "someone else's")
    [theirs] = await orders_of(bot, 5005)

    await r.command("/myrequests")
    page = await r.wait_for("My requests")
    assert page.text.index(second) < page.text.index(first)  # newest first
    assert "waiting for review" in page.text
    await r.press(f"✖️ Cancel {first}")
    await r.wait_for(f"Cancel request {first}?")
    await r.press("Yes, cancel it")
    await r.wait_for(f"Request {first} has been cancelled")
    states = {o.number: o.state for o in await orders_of(bot, 5004)}
    assert states == {first: "cancelled", second: "pending_review"}

    await r.command("/myrequests")
    page = await r.wait_for("My requests")
    assert f"Cancel {first}" not in str(page.buttons)
    forged = await r.press_data(page.message_id, f"mr:c:{theirs.id}")
    assert forged.show_alert and forged.text
    forged = await r.press_data(page.message_id, f"mr:a:{theirs.id}")
    assert forged.text
    [still] = await orders_of(bot, 5005)
    assert still.state == "pending_review"
    await other.command("/myrequests")
    await other.wait_for("我的点单")


async def test_an_unregistered_person_is_sent_to_start(bot: RunningBot, sandbox: Sandbox) -> None:
    u = sandbox.user(5006, first_name="New", language_code="en")
    await u.command("/request")
    await u.wait_for("Please register first")
    await u.command("/myrequests")
    await u.wait_for("no requests yet")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_windows_too_far_too_short_and_over_midnight(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """Issue 12, item 18: more than ``[orders] max_days_ahead`` (60) ahead and shorter
    than 15 minutes are refused with the reason; 23:00–01:00 ends the next day."""
    t = get_translator(language)
    r = await resident(bot, sandbox, 5007, "zh-hans" if language == "zh_CN" else "en")
    await r.command("/request")
    await r.wait_for(prompt(t, "request.ask_category"))
    await r.press(await _a_category(bot, language))
    await r.wait_for(prompt(t, "request.ask_description"))
    await r.send("夜里陪护")
    await r.wait_for(prompt(t, "request.ask_day"))
    today = datetime.now(ZONE).date()
    await r.send((today + timedelta(days=61)).isoformat())  # a day alone, too far
    await r.wait_for(shown(t, "invalid.starts_at.too_far", days=60))
    await r.send(f"{(today + timedelta(days=61)).isoformat()} 09:00-11:00")
    await r.wait_for(shown(t, "invalid.starts_at.too_far", days=60))
    day = today + timedelta(days=2)
    await r.send(f"{day.isoformat()} 14:00-14:10")
    await r.wait_for(shown(t, "invalid.ends_at.too_short", 15, minutes=15))
    await r.send(f"{day.isoformat()} 23:00-01:00")
    await r.wait_for(prompt(t, "request.ask_place"))
    await r.send("龙湖东岸 7 栋")
    await r.wait_for(prompt(t, "ask.phone"))
    await r.send("13800138000")
    await r.wait_for(prompt(t, "request.ask_helpers"))
    await r.press("1")
    await r.wait_for(prompt(t, "request.ask_behalf"))
    await r.press(t.plain("request.button_for_me"))
    summary = await r.wait_for(prompt(t, "request.summary"))
    assert f"{day.isoformat()} 23:00–{(day + timedelta(days=1)).isoformat()} 01:00" in summary.text
    await r.press(t.plain("request.button_submit"))
    await r.wait_for(prompt(t, "request.created"))
    [order] = await orders_of(bot, 5007)
    assert order.ends_at - order.starts_at == timedelta(hours=2)
    assert order.ends_at.astimezone(ZONE).date() == day + timedelta(days=1)


async def _a_category(bot: RunningBot, language: str) -> str:
    kind = await bot.services.org.category("elderly_visit")
    assert kind is not None
    return kind.name(language)
