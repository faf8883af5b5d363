"""End to end over HTTP, on the bot's injectable clock, in zh and en: an order served by
two volunteers completes; ``prompt_after_minutes`` later the resident is asked to rate,
gives 5 and 2 stars and a comment (with HTML in it); the coordinator is alerted about
the 2 with the comment, escaped; each volunteer's /me shows their average."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.i18n import get_translator
from bot.messages.common import local_time
from sandbox import Sandbox
from storage.models import RatingPrompt
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
from tests.support.services import FakeClock

COMMENT = "来晚了 <b>半小时</b> & 没道歉"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_the_resident_rates_and_the_coordinator_is_alerted(
    bot: RunningBot,  # noqa: F811
    sandbox: Sandbox,
    clock: FakeClock,  # noqa: F811
    language: str,
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    order_id, number, claims = await setup_order(bot, language)
    v1, v2 = (sandbox.user(tid, language_code=code) for tid in VOLUNTEER_IDS)
    resident = sandbox.user(RESIDENT_ID, first_name="王芳", language_code=code)
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    for someone in (resident, coordinator, v1, v2):
        await someone.command("/lang")  # opened the bot: messages reach them
        await someone.next_reply()

    # --- served by both, completed by the resident --------------------------------------
    services = bot.services
    people = [await services.users.get(tid) for tid in VOLUNTEER_IDS]
    clock.advance(days=1)
    for person, claim_id in zip(people, claims, strict=True):
        await services.attendance.check_in(person, claim_id)
    clock.advance(hours=2)
    for person, claim_id in zip(people, claims, strict=True):
        await services.attendance.check_out(person, claim_id)
    await services.attendance.confirm_completion(await services.users.get(RESIDENT_ID), order_id)

    # --- time passes: the resident is asked ----------------------------------------------
    clock.advance(minutes=29)
    await bot.run_due_jobs()
    clock.advance(minutes=1)
    await bot.run_due_jobs()
    asked = await resident.wait_for(shown(t, "rating.ask", number=number), timeout=15)
    assert "志愿者<2201>" in asked.text and "&lt;2201&gt;" in asked.html  # names escaped
    assert len(asked.buttons) == 2 and len(asked.buttons[0]) == 6
    async with bot.db.read() as session:
        prompt_id = await session.scalar(select(RatingPrompt.id))

    saved = await resident.press_data(asked.message_id, f"rs:{prompt_id}:{claims[0]}:5")
    assert saved.text == t.plain("rating.stars_saved", stars="★★★★★")
    again = await resident.press_data(asked.message_id, f"rs:{prompt_id}:{claims[0]}:3")
    assert again.text == t.plain("error.already_rated")
    await resident.press_data(asked.message_id, f"rs:{prompt_id}:{claims[1]}:2")
    await resident.wait_for(shown(t, "rating.ask_comment", number=number, max=500))
    await resident.send(COMMENT)
    await resident.wait_for(shown(t, "rating.comment_saved"))

    # --- the coordinator is alerted about the 2, with the comment escaped ------------------
    alert = await coordinator.wait_for(
        shown(t, "rating.alert", number=number, start=local_time(STARTS, "Asia/Shanghai")),
        timeout=15,
    )
    assert "志愿者<2202>" in alert.text and "志愿者<2201>" not in alert.text
    assert "★★☆☆☆" in alert.text and COMMENT in alert.text
    assert "&lt;b&gt;半小时&lt;/b&gt; &amp;" in alert.html
    assert alert.buttons == [[t.plain("attendance.button_view_order", number=number)]]

    # --- each volunteer's /me shows their average, nothing of who gave it ---------------
    for volunteer, average in ((v1, "5.0"), (v2, "2.0")):
        await volunteer.command("/me")
        me = await volunteer.wait_for(shown(t, "rating.summary", 1, average=average, count=1))
        assert COMMENT not in me.text and "王芳" not in me.text
