"""Bad input gets a clear, kind reply, the question again, and nothing already entered
is lost — also across a restart of the bot."""

from __future__ import annotations

from sqlalchemy import select

from sandbox import Sandbox
from storage.models import FlowState, User, VolunteerProfile
from tests.support.bot import RunningBot


async def flow_state(bot: RunningBot, telegram_id: int) -> FlowState | None:
    async with bot.db.read() as s:
        user = await s.scalar(select(User).where(User.telegram_id == telegram_id))
        assert user is not None
        return await s.get(FlowState, user.id)


async def start_volunteering(sandbox: Sandbox, telegram_id: int, language: str = "en"):  # type: ignore[no-untyped-def]
    v = sandbox.user(telegram_id, first_name="Bob", language_code=language)
    await v.command("/start")
    await v.wait_for(predicate=lambda m: bool(m.buttons))
    await v.press("🤝 I want to volunteer" if language == "en" else "🤝 我想当志愿者")
    await v.wait_for("real name" if language == "en" else "真实姓名")
    return v


async def test_name_too_long_then_invalid_phone_keeps_what_was_given(
    bot: RunningBot, sandbox: Sandbox
) -> None:
    v = await start_volunteering(sandbox, 4001)
    await v.send("x" * 5000)
    reply = await v.wait_for("too long")
    assert "5000" in reply.text
    await v.wait_for("real name")  # asked again
    await v.send("Bob Chen")
    await v.wait_for("Share my phone number")
    await v.send("12345")
    await v.wait_for("not valid")
    await v.wait_for("Share my phone number")  # the phone question again
    state = await flow_state(bot, 4001)
    assert state is not None and state.step == "phone"
    assert state.data["name"] == "Bob Chen"  # the name given before is kept
    await v.send("138 0013 8000")
    await v.wait_for("subdistrict")
    state = await flow_state(bot, 4001)
    assert state is not None and state.data["phone"] == "+8613800138000"


async def test_someone_elses_contact_is_refused(bot: RunningBot, sandbox: Sandbox) -> None:
    v = await start_volunteering(sandbox, 4002)
    await v.send("Carol")
    await v.wait_for("Share my phone number")
    await v.share_contact(phone_number="+8613900139000", user_id=777)
    await v.wait_for("your own number")
    state = await flow_state(bot, 4002)
    assert state is not None and state.step == "phone" and "phone" not in state.data


async def test_restart_mid_flow_loses_nothing(bot: RunningBot, sandbox: Sandbox) -> None:
    v = await start_volunteering(sandbox, 4003, language="zh_CN")
    await v.send("李雷")
    await v.wait_for("分享我的手机号")
    await bot.restart()  # every in-memory state is gone
    await v.send("13800138000")
    await v.wait_for("请选择您所在的街道")
    state = await flow_state(bot, 4003)
    assert state is not None and state.data["name"] == "李雷"
    assert state.step == "street"


async def test_stale_and_forged_buttons(bot: RunningBot, sandbox: Sandbox) -> None:
    v = await start_volunteering(sandbox, 4004)
    asked_name = v.last
    assert asked_name is not None and asked_name.buttons
    await v.send("Dan")
    await v.wait_for("Share my phone number")
    await v.send("13800138000")
    streets = await v.wait_for("subdistrict")
    first_nonce = (await flow_state(bot, 4004)).nonce  # type: ignore[union-attr]
    longyang = await bot.services.org.unit_by_code("longyang")
    yongfeng = await bot.services.org.unit_by_code("yongfeng")
    assert longyang is not None and yongfeng is not None
    await v.press(longyang.name("en"), message=streets)
    await v.wait_for("Please choose your community")

    # data of the earlier question (old nonce) on the message that now asks the next one:
    # out of date, and nothing changes (that message's buttons are the current ones)
    communities = v.last
    assert communities is not None and "Please choose your community" in communities.text
    answer = await v.press_data(streets.message_id, f"f:{first_nonce}:pick:{longyang.id}")
    assert answer.show_alert and "out of date" in (answer.text or "")
    assert v.last == communities
    state = await flow_state(bot, 4004)
    assert state is not None and state.step == "community"

    # a button still on an earlier question (the name's Cancel): out of date, the flow
    # goes on; that message keeps its text and loses its buttons, and the current
    # question is not asked a second time
    answer = await v.press("✖️ Cancel", message=asked_name)
    assert answer.show_alert and "out of date" in (answer.text or "")
    await v.wait_for(predicate=lambda m: m.message_id == asked_name.message_id and not m.buttons)
    assert v.chat.messages[asked_name.message_id].view().text == asked_name.text
    assert v.last == communities
    state = await flow_state(bot, 4004)
    assert state is not None and state.step == "community"

    # forged data with the current nonce: a community of another street
    state = await flow_state(bot, 4004)
    assert state is not None
    other = (await bot.services.org.children(yongfeng.id))[0]
    await v.press_data(streets.message_id, f"f:{state.nonce}:pick:{other.id}")
    await v.wait_for("not in the chosen subdistrict")
    state = await flow_state(bot, 4004)
    assert state is not None and state.step == "community" and "community_id" not in state.data
    assert state.data["name"] == "Dan"

    # data that no handler knows at all
    answer = await v.press_data(streets.message_id, "zz:1:2")
    assert "no longer valid" in (answer.text or "")


async def test_commands_and_buttons_the_role_may_not_use(bot: RunningBot, sandbox: Sandbox) -> None:
    v = await start_volunteering(sandbox, 4005)
    await v.command("/pending")
    await v.wait_for("not available to you")
    await v.command("/coordinators")
    await v.wait_for("not available to you")
    # forge an approval of oneself
    async with bot.db.read() as s:
        me = await s.scalar(select(User).where(User.telegram_id == 4005))
    assert me is not None
    last = v.last
    assert last is not None
    answer = await v.press_data(last.message_id, f"va:{me.id}:1")
    assert "not available" in (answer.text or "")
    async with bot.db.read() as s:
        assert await s.get(VolunteerProfile, me.id) is None
    # the flow the user was in is untouched
    state = await flow_state(bot, 4005)
    assert state is not None and state.step == "name"


async def test_cancel_leaves_the_flow(bot: RunningBot, sandbox: Sandbox) -> None:
    v = await start_volunteering(sandbox, 4006)
    await v.command("/cancel")
    await v.wait_for("Cancelled")
    assert await flow_state(bot, 4006) is None
    await v.send("hello")
    await v.wait_for("did not understand")
