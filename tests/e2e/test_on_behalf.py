"""End to end over HTTP: requests on behalf of someone without Telegram (an elderly
neighbour, a family member). A resident (in Chinese) and a coordinator (in English,
choosing the community among their unit's) give the beneficiary's name, phone and
address; bad input at those steps (empty, 10,000 characters, a malformed phone) is
refused and asked again with nothing lost, HTML is kept as text; the requester — not
the beneficiary — receives the updates."""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import get_translator
from bot.services.requests.publish import Publication
from sandbox import Sandbox
from sandbox.users import SandboxUser
from storage.models import Order, User
from tests.e2e.test_request import orders_of, resident
from tests.support.bot import ADMIN_ID, RunningBot
from tests.support.chat import shown

COMMUNITY = "longyang.longhudongan"
STREET = "longyang"
STREET_COORDINATOR_ID = 9301
SUMMARY = {"zh_CN": "请核对您的点单", "en": "Please check your request"}


async def beneficiary_with_bad_input(user: SandboxUser, language: str) -> None:
    """At "for whom?": someone else, then their name, phone and address — each refused
    once or twice first."""
    t = get_translator(language)
    await user.press(t.plain("request.button_for_other"))
    ask_name = shown(t, "request.ask_b_name")
    await user.wait_for(ask_name)
    await user.send("   ")
    await user.wait_for(shown(t, "invalid.name.empty"))
    await user.wait_for(ask_name)
    await user.send("李" * 10_000)
    await user.wait_for(shown(t, "invalid.name.too_long", max=50, length=10_000))
    await user.wait_for(ask_name)
    await user.send("<b>李奶奶</b> & 孙子")
    ask_phone = shown(t, "request.ask_b_phone")
    await user.wait_for(ask_phone)
    await user.send("12345")
    await user.wait_for(shown(t, "invalid.phone.invalid"))
    await user.wait_for(ask_phone)
    await user.send("139-0013-9000")
    ask_address = shown(t, "request.ask_b_address")
    await user.wait_for(ask_address)
    await user.send(" \n ")
    await user.wait_for(shown(t, "invalid.address.empty"))
    await user.wait_for(ask_address)
    await user.send("x" * 10_000)
    await user.wait_for("10000")
    await user.wait_for(ask_address)
    await user.send("<i>七里庙</i> 5 栋")


async def the_rest(user: SandboxUser, language: str, category: str) -> None:
    """Category to helpers, plainly."""
    t = get_translator(language)
    await user.wait_for(shown(t, "request.ask_category"))
    await user.press(category)
    await user.wait_for(shown(t, "request.ask_description", max=2000))
    await user.send("陪老人去医院复查")
    await user.wait_for(shown(t, "request.ask_day"))
    await user.press(t.plain("request.day_tomorrow"))
    await user.wait_for(predicate=lambda m: any("09:00-11:00" in row for row in m.buttons))
    await user.press("09:00-11:00")
    await user.wait_for(shown(t, "request.ask_place", community="").split("<")[0][:5])
    await user.send("七里庙社区服务站")
    await user.wait_for(t.plain("button.share_phone"))
    await user.send("13800138000")
    await user.wait_for(shown(t, "request.ask_helpers", max=200))
    await user.press("1")
    await user.wait_for(shown(t, "request.ask_behalf"))


async def submitted(user: SandboxUser, language: str) -> None:
    t = get_translator(language)
    summary = await user.wait_for(SUMMARY[language])
    assert "<b>李奶奶</b> & 孙子" in summary.text and "+8613900139000" in summary.text
    assert summary.html is not None and "&lt;b&gt;李奶奶&lt;/b&gt; &amp; 孙子" in summary.html
    await user.press(t.plain("request.button_submit"))
    await user.wait_for(shown(t, "request.created", number="")[:6])


def beneficiary_of(order: Order) -> tuple[str | None, str | None, str | None]:
    return order.beneficiary_name, order.beneficiary_phone, order.beneficiary_address


async def test_resident_asks_for_a_neighbour_in_chinese(bot: RunningBot, sandbox: Sandbox) -> None:
    r = await resident(bot, sandbox, 5101, "zh-hans")
    await r.press("🆘 我要点单")
    await r.wait_for("您需要哪方面的帮助")
    await r.press("探访老人")
    await r.wait_for("请描述您的需求")
    await r.send("陪李奶奶去医院复查")
    await r.wait_for("哪一天")
    await r.press("明天")
    await r.wait_for("的什么时间")
    await r.press("09:00-11:00")
    await r.wait_for("在哪里")
    await r.send("龙湖东岸 7 栋")
    await r.wait_for("分享我的手机号")
    await r.send("13800138000")
    await r.wait_for("需要几位志愿者")
    await r.press("1")
    await r.wait_for("代没有 Telegram")

    await bot.restart()  # the draft is in the database

    await beneficiary_with_bad_input(r, "zh_CN")
    await submitted(r, "zh_CN")
    [order] = await orders_of(bot, 5101)
    assert beneficiary_of(order) == ("<b>李奶奶</b> & 孙子", "+8613900139000", "<i>七里庙</i> 5 栋")
    assert order.contact_phone == "+8613800138000"  # the requester's, for the updates

    # the requester (not the beneficiary, who has no Telegram) receives the updates
    coordinator = await bot.services.users.get(ADMIN_ID)
    await bot.services.orders.approve(coordinator, order.id, Publication(places=1))
    assert order.number is not None
    told = await r.wait_for(order.number, timeout=15)
    assert "已发布" in told.text


async def test_street_coordinator_asks_on_behalf_in_english(
    bot: RunningBot, sandbox: Sandbox
) -> None:
    t = get_translator("en")
    await bot.services.coordinators.add_admin(STREET_COORDINATOR_ID, STREET, label="test")
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    c = sandbox.user(STREET_COORDINATOR_ID, first_name="Roger", language_code="en")
    await c.command("/request")
    await c.wait_for(shown(t, "request.ask_community"))
    await c.send("Longhu")  # text where a button is expected
    await c.wait_for(shown(t, "request.ask_community"))
    await c.press(community.name_en)
    await the_rest(c, "en", "Elderly visit")
    await beneficiary_with_bad_input(c, "en")
    await submitted(c, "en")
    async with bot.db.read() as session:
        me = await session.scalar(select(User).where(User.telegram_id == STREET_COORDINATOR_ID))
        assert me is not None
        [order] = await session.scalars(select(Order).where(Order.requester_id == me.id))
    assert order.community_id == community.id and order.state == "pending_review"
    assert beneficiary_of(order) == ("<b>李奶奶</b> & 孙子", "+8613900139000", "<i>七里庙</i> 5 栋")


async def test_district_coordinator_picks_street_then_community(
    bot: RunningBot, sandbox: Sandbox
) -> None:
    """The admin of the test bot coordinates the whole district: street, then community;
    "back" from the category returns to the community choice."""
    t = get_translator("zh_CN")
    community = await bot.services.org.unit_by_code(COMMUNITY)
    street = await bot.services.org.unit_by_code(STREET)
    assert community is not None and street is not None
    admin = sandbox.user(ADMIN_ID, first_name="管理员", language_code="zh-hans")
    await admin.command("/request")
    await admin.wait_for(shown(t, "request.ask_street"))
    await admin.press(street.name_zh)
    await admin.wait_for(shown(t, "request.ask_community"))
    await admin.press(community.name_zh)
    await admin.wait_for(shown(t, "request.ask_category"))
    await admin.press(t.plain("button.back"))
    await admin.wait_for(shown(t, "request.ask_community"))
    await admin.press(community.name_zh)
    await the_rest(admin, "zh_CN", "探访老人")
    await admin.press(t.plain("request.button_for_me"))
    await admin.wait_for(SUMMARY["zh_CN"])
    await admin.press(t.plain("request.button_submit"))
    await admin.wait_for(shown(t, "request.created", number="")[:6])
    [order] = await orders_of(bot, ADMIN_ID)
    assert order.community_id == community.id and order.beneficiary_name is None
