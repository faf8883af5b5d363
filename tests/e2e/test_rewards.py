"""End to end over HTTP, zh and en: a coordinator adds a reward to the catalogue in the
chat, a volunteer with points redeems it with one tap and a confirmation, the
coordinator is told and marks it handed over, the volunteer is told and sees the
redemption, its state and the new balance."""

from __future__ import annotations

import pytest

from bot.i18n import get_translator
from sandbox import Sandbox
from tests.support.bot import RunningBot
from tests.support.chat import language_code, shown, staff
from tests.support.rewards import balance, credit

COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9301
VOLUNTEER_ID = 2301


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_redeem_and_hand_over(bot: RunningBot, sandbox: Sandbox, language: str) -> None:
    t, code, services = get_translator(language), language_code(language), bot.services
    community = await staff(
        bot, COMMUNITY, COORDINATOR_ID, [VOLUNTEER_ID], language, real_name=lambda _: "李<雷>"
    )
    volunteer_id = (await services.users.get(VOLUNTEER_ID)).id
    await credit(bot.db, [volunteer_id], 120)  # 12 points earned
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    volunteer = sandbox.user(VOLUNTEER_ID, first_name="Li", language_code=code)

    # --- the coordinator adds a reward in the chat ------------------------------------------
    await coordinator.command("/managerewards")
    await coordinator.wait_for(shown(t, "rewards.manage_empty", unit=community.name(language)))
    await coordinator.press(t.plain("rewards.button_add"))
    await coordinator.wait_for(shown(t, "rewards.ask_name", max=64))
    await coordinator.send("环保袋 <eco>")
    await coordinator.wait_for(shown(t, "rewards.ask_description"))
    await coordinator.press(t.plain("button.skip"))
    await coordinator.wait_for(shown(t, "rewards.ask_cost"))
    await coordinator.send("0")
    await coordinator.wait_for(shown(t, "invalid.cost.not_positive"))
    await coordinator.send("4.5")
    await coordinator.wait_for(shown(t, "rewards.ask_stock"))
    await coordinator.send("10")
    await coordinator.wait_for(shown(t, "rewards.ask_first_day", example="2026-10-01"))
    await coordinator.press(t.plain("button.skip"))
    await coordinator.wait_for(shown(t, "rewards.ask_last_day", example="2026-10-01"))
    await coordinator.press(t.plain("button.skip"))
    await coordinator.wait_for(shown(t, "rewards.ask_photo"))
    await coordinator.press(t.plain("button.skip"))
    await coordinator.wait_for("环保袋 <eco>")
    await coordinator.press(t.plain("rewards.button_save"))
    await coordinator.wait_for(
        shown(t, "rewards.added", name="环保袋 <eco>", unit=community.name(language))
    )

    # --- the volunteer redeems it -----------------------------------------------------------
    await volunteer.command("/rewards")
    await volunteer.wait_for(
        shown(t, "rewards.catalogue_item", index=1, name="环保袋 <eco>", cost="4.5", stock=10)
    )
    await volunteer.press(t.plain("rewards.button_reward", name="环保袋 <eco>", cost="4.5"))
    confirm = shown(
        t, "rewards.confirm", name="环保袋 <eco>", cost="4.5", balance="12", after="7.5"
    )
    await volunteer.wait_for(confirm)
    alert = await volunteer.press(t.plain("rewards.button_confirm"))
    assert alert.text == t.plain("rewards.redeemed_alert")
    await volunteer.wait_for(
        shown(t, "rewards.redeemed", name="环保袋 <eco>", id=1, cost="4.5", balance="7.5")
    )
    assert await balance(bot.db, volunteer_id) == 75

    # --- the coordinator is told and hands it over ------------------------------------------
    made = shown(t, "rewards.made_notice", volunteer="李<雷>", name="环保袋 <eco>", cost="4.5",
                 id=1, stock=9, when="")  # fmt: skip
    notice = await coordinator.wait_for(made.split("（")[0].split(" (")[0], timeout=15)
    assert "李&lt;雷&gt;" in notice.html and "&lt;eco&gt;" in notice.html  # escaped
    await coordinator.press(t.plain("rewards.button_handed"), notice)
    await coordinator.wait_for(shown(t, "rewards.handed", id=1, name="环保袋 <eco>"))

    # --- the volunteer is told, and sees it with the new balance ----------------------------
    await volunteer.wait_for(
        shown(t, "rewards.handed_notice", name="环保袋 <eco>", id=1), timeout=15
    )
    await volunteer.command("/myrewards")
    mine = await volunteer.wait_for(shown(t, "rewards.mine_title", page=1, pages=1, balance="7.5"))
    assert shown(t, "rewards.state_handed_over") in mine.text
    assert "环保袋 <eco>" in mine.text and "&lt;eco&gt;" in mine.html
