"""End to end over HTTP, zh and en: after an activity is published, served and
completed, the coordinator's /audit shows its publishing — who, what, which unit, on
what — and its
kind's button filters by it; /audit with the coordinator's own Telegram id shows their
actions; a volunteer is refused; a Telegram id that is not digits is told how to write
it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import get_translator
from sandbox import Sandbox
from tests.support.bot import RunningBot, clock_at
from tests.support.chat import language_code, serve_activity, shown, staff
from tests.support.services import FakeClock

COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9481
VOLUNTEER_IDS = (2481,)
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)

clock = clock_at(NOW)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_coordinator_reads_the_audit_log(
    bot_on_clock: RunningBot, sandbox: Sandbox, clock: FakeClock, language: str
) -> None:
    bot = bot_on_clock
    t, code = get_translator(language), language_code(language)
    community = await staff(bot, COMMUNITY, COORDINATOR_ID, VOLUNTEER_IDS, language)
    boss = await bot.services.users.get(COORDINATOR_ID)
    assert boss is not None
    await bot.services.users.set_language(boss.id, language)
    order = await serve_activity(
        bot, clock, community, COORDINATOR_ID, VOLUNTEER_IDS, (60,), NOW + timedelta(days=1)
    )
    c = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)

    await c.command("/audit")
    log = await c.wait_for(predicate=lambda m: "order.create_activity" in m.text)
    assert f"order #{order.id}" in log.text and community.name(language) in log.text
    assert "✅ " + t.plain("audit.all") in str(log.buttons)
    await c.press(t.plain("audit.kind_order"), message=log)
    orders = await c.wait_for(
        predicate=lambda m: (
            m.message_id == log.message_id and "✅ " + t.plain("audit.kind_order") in str(m.buttons)
        )
    )
    assert t.plain("audit.kind_order") in orders.text.split("\n")[0]
    assert "coordinator." not in orders.text  # the appointment is another kind

    await c.command("/audit", str(COORDINATOR_ID))
    await c.wait_for(
        predicate=lambda m: m.message_id != log.message_id and "order.create_activity" in m.text
    )
    await c.command("/audit", "someone")
    await c.wait_for(shown(t, "invalid.audit_person.format"))

    v = sandbox.user(VOLUNTEER_IDS[0], language_code=code)
    await v.command("/audit")
    await v.wait_for(shown(t, "error.not_allowed"))
