"""The closed loop's last steps in one chain, end to end over HTTP on the bot's clock, in
zh and en (issue 14): a resident's order is served by two volunteers (checked in and
out from /myplaces: 120 and 97 minutes), the resident confirms it; ``prompt_after_minutes``
later they are asked to rate, give 5 and 2 stars and a comment with HTML in it; the
coordinator is alerted about the 2 (stars, the comment escaped, a button to the order
card); both passbooks show the earn (minutes × 3 ÷ 60, rounded to a half point); one
volunteer redeems a reward, the coordinator is told and hands it over, the volunteer
is told, and their passbook and /myrewards show it with the new balance. Nobody reads
what is not theirs: the volunteers never see who rated or what was said, and the
comment's HTML is escaped wherever it is shown."""

from __future__ import annotations

import pytest

from bot.i18n import Translator, get_translator
from bot.messages.common import local_time
from sandbox import Sandbox
from sandbox.users import SandboxUser
from tests.e2e.test_service import (
    COORDINATOR_ID,
    RESIDENT_ID,
    STARTS,
    VOLUNTEER_IDS,
    bot,  # noqa: F401 (the fixture: the bot on the test clock)
    clock,  # noqa: F401
    setup_order,
)
from tests.support.bot import RunningBot
from tests.support.chat import shown
from tests.support.rewards import add_reward
from tests.support.services import FakeClock

COMMENT = "<b>late</b> & rude"
ESCAPED = "&lt;b&gt;late&lt;/b&gt; &amp; rude"
REWARD = "环保袋 <eco>"
TZ = "Asia/Shanghai"  # [general] timezone
NAMES = {tid: f"志愿者<{tid}>" for tid in VOLUNTEER_IDS}  # as setup_order registers them


async def check_in(user: SandboxUser, t: Translator, number: str) -> None:
    """From /myplaces, without sharing a location."""
    button = t.plain("attendance.button_check_in", number=number)
    await user.command("/myplaces")
    await user.wait_for(number, predicate=lambda m: any(button in row for row in m.buttons))
    await user.press(button)
    await user.wait_for(shown(t, "attendance.ask_location_or_skip"))
    await user.press(t.plain("button.skip"))
    await user.wait_for(shown(t, "attendance.location_skipped"))


async def check_out(
    user: SandboxUser, t: Translator, number: str, minutes: int, hours: str
) -> None:
    button = t.plain("attendance.button_check_out", number=number)
    await user.command("/myplaces")
    await user.wait_for(number, predicate=lambda m: any(button in row for row in m.buttons))
    await user.press(button)
    await user.wait_for(
        shown(t, "attendance.checked_out", minutes, number=number, minutes=minutes, hours=hours)
    )


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_rate_earn_redeem_and_hand_over(
    bot: RunningBot,  # noqa: F811
    sandbox: Sandbox,
    clock: FakeClock,  # noqa: F811
    language: str,
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    services = bot.services
    _, number, _ = await setup_order(bot, language)  # rate: the default, 3
    v1, v2 = (sandbox.user(tid, language_code=code) for tid in VOLUNTEER_IDS)
    resident = sandbox.user(RESIDENT_ID, first_name="王芳", language_code=code)
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    for someone in (resident, coordinator, v1, v2):
        await someone.command("/lang")  # opened the bot: messages reach them
        await someone.next_reply()
    boss = await services.users.get(COORDINATOR_ID)
    await add_reward(services, boss, name=REWARD, cost=45, stock=5)  # 4.5 points

    # --- served by both: in at the start, out after 97 and 120 minutes --------------------
    clock.advance(days=1)  # the start
    await bot.run_due_jobs()
    for volunteer in (v1, v2):
        await check_in(volunteer, t, number)
    clock.advance(minutes=97)
    await check_out(v2, t, number, 97, "1.62")
    clock.advance(minutes=23)  # the end
    await check_out(v1, t, number, 120, "2")

    # --- the resident confirms: the order completes, each place earns ---------------------
    ask = await resident.wait_for(shown(t, "order.ask_confirm_service", number=number), timeout=15)
    await resident.press(t.plain("order.button_confirm_service"), message=ask)
    await resident.wait_for(shown(t, "attendance.completed", number=number))
    category = await services.org.category("elderly_visit")
    assert category is not None
    name = category.name(language)
    # 120 min × 3 ÷ 60 = 6; 97 min × 3 ÷ 60 = 4.85, to the nearest half point: 5
    earned = {v1: ("2", "6"), v2: ("1.62", "5")}
    for volunteer, (hours, points) in earned.items():
        told = shown(t, "points.told_earned", number=number, category=name, hours=hours,
                     points=points, balance=points)  # fmt: skip
        await volunteer.wait_for(told, timeout=15)

    # --- prompt_after_minutes (30) later the resident is asked to rate ---------------------
    clock.advance(minutes=29)
    await bot.run_due_jobs()
    assert not any(shown(t, "rating.ask", number=number) in m.content for m in resident.messages)
    clock.advance(minutes=1)
    await bot.run_due_jobs()
    asked = await resident.wait_for(shown(t, "rating.ask", number=number), timeout=15)
    assert asked.buttons[0][0] == f"1. {NAMES[VOLUNTEER_IDS[0]]}"
    assert asked.buttons[1][0] == f"2. {NAMES[VOLUNTEER_IDS[1]]}"
    saved = await resident.press("5★", asked)  # the first row: v1's
    assert saved.text == t.plain("rating.stars_saved", stars="★★★★★")
    rest = await resident.wait_for(predicate=lambda m: m.message_id == asked.message_id)
    assert [row[0] for row in rest.buttons] == [f"2. {NAMES[VOLUNTEER_IDS[1]]}"]
    saved = await resident.press("2★", rest)
    assert saved.text == t.plain("rating.stars_saved", stars="★★☆☆☆")
    await resident.wait_for(shown(t, "rating.ask_comment", number=number, max=500))
    await resident.send(COMMENT)
    await resident.wait_for(shown(t, "rating.comment_saved"))

    # --- the coordinator is alerted about the 2: stars, the comment escaped, the card ------
    start = local_time(STARTS, TZ)
    alert = await coordinator.wait_for(
        shown(t, "rating.alert", number=number, start=start), timeout=15
    )
    low = t.plain("rating.alert_row", name=NAMES[VOLUNTEER_IDS[1]], stars="★★☆☆☆", n=2)
    assert low in alert.text and NAMES[VOLUNTEER_IDS[0]] not in alert.text
    assert shown(t, "rating.comment_line", comment=COMMENT) in alert.text
    assert ESCAPED in alert.html and COMMENT not in alert.html
    card_button = t.plain("attendance.button_view_order", number=number)
    assert alert.buttons == [[card_button]]
    await coordinator.press(card_button, alert)
    card = await coordinator.wait_for(shown(t, "rating.comment_line", comment=COMMENT))
    assert number in card.text and ESCAPED in card.html

    # --- both passbooks show the earn -------------------------------------------------------
    for volunteer, (_, points) in earned.items():
        await volunteer.command("/passbook")
        book = await volunteer.wait_for(
            shown(t, "passbook.title", 1, balance=points, page=1, pages=1, total=1)
        )
        assert shown(t, "passbook.what_earn", number=number, category=name) in book.text
        assert f"+{points}" in book.text

    # --- v1 redeems the reward: one tap, confirmed ----------------------------------------------
    await v1.command("/rewards")
    await v1.wait_for(shown(t, "rewards.catalogue_item", index=1, name=REWARD, cost="4.5", stock=5))
    await v1.press(t.plain("rewards.button_reward", name=REWARD, cost="4.5"))
    await v1.wait_for(
        shown(t, "rewards.confirm", name=REWARD, cost="4.5", balance="6", after="1.5")
    )
    redeemed_at = local_time(clock.now(), TZ)
    alerted = await v1.press(t.plain("rewards.button_confirm"))
    assert alerted.text == t.plain("rewards.redeemed_alert")
    await v1.wait_for(shown(t, "rewards.redeemed", name=REWARD, id=1, cost="4.5", balance="1.5"))

    # --- the coordinator is told and marks it handed over --------------------------------------
    made = shown(t, "rewards.made_notice", volunteer=NAMES[VOLUNTEER_IDS[0]], name=REWARD,
                 cost="4.5", id=1, stock=4, when=redeemed_at)  # fmt: skip
    notice = await coordinator.wait_for(made, timeout=15)
    assert "志愿者&lt;2201&gt;" in notice.html and "&lt;eco&gt;" in notice.html
    await coordinator.command("/redemptions")  # listed there too, until decided
    listed = await coordinator.wait_for(shown(t, "redemptions.title", total=1, page=1, pages=1))
    assert "志愿者&lt;2201&gt;" in listed.html and redeemed_at in listed.text
    await coordinator.press(t.plain("rewards.button_handed"), notice)
    await coordinator.wait_for(shown(t, "rewards.handed", id=1, name=REWARD))
    await coordinator.command("/redemptions")
    await coordinator.wait_for(shown(t, "redemptions.none"))

    # --- v1 is told; the passbook and /myrewards show it, with the new balance --------------
    await v1.wait_for(shown(t, "rewards.handed_notice", name=REWARD, id=1), timeout=15)
    await v1.command("/passbook")
    book = await v1.wait_for(shown(t, "passbook.title", 2, balance="1.5", page=1, pages=1, total=2))
    assert shown(t, "passbook.what_redeem", reward=REWARD) in book.text
    assert "-4.5" in book.text and "&lt;eco&gt;" in book.html
    await v1.command("/myrewards")
    mine = await v1.wait_for(shown(t, "rewards.mine_title", page=1, pages=1, balance="1.5"))
    assert shown(t, "rewards.state_handed_over") in mine.text and REWARD in mine.text

    # --- what the volunteers read of the rating: their own average, never who or what -------
    await v2.command("/me")
    me = await v2.wait_for(shown(t, "rating.summary", 1, average="2.0", count=1))
    assert "王芳" not in me.text
    volunteer_chats, scanned = set(VOLUNTEER_IDS), 0
    for event in sandbox.world.events:
        if event.kind not in ("sent", "edited") or event.message is None:
            continue
        html = event.message.html or ""
        assert COMMENT not in html, (event.chat_id, html)  # escaped everywhere it is shown
        if event.chat_id in volunteer_chats:
            scanned += 1
            content = event.message.content
            for secret in ("王芳", "rude", "★★★★★", "★★☆☆☆", str(RESIDENT_ID)):
                assert secret not in content, (event.chat_id, secret, content)
    assert scanned > 20  # everything the volunteers were sent and shown
