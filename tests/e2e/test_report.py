"""End to end over HTTP, zh and en: a coordinator opens /report (last month, hours,
Excel by default), picks this month and CSV, and exports: the file comes as a document
in the chat — named for the unit, kind and month — and holds the volunteers' hours; then
an Excel file of points opens with openpyxl; /chart sends the picture of the last 12
weeks. A volunteer who is no coordinator is refused both."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from bot.i18n import get_translator
from sandbox import Sandbox
from tests.support.bot import RunningBot, clock_at
from tests.support.chat import language_code, serve_activity, shown, staff
from tests.support.services import FakeClock

COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9471
VOLUNTEER_IDS = (2471, 2472)
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=1)

clock = clock_at(NOW)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_coordinator_exports_the_month_as_a_file_in_the_chat(
    bot_on_clock: RunningBot, sandbox: Sandbox, clock: FakeClock, language: str
) -> None:
    bot = bot_on_clock
    t, code, services = get_translator(language), language_code(language), bot.services
    community = await staff(bot, COMMUNITY, COORDINATOR_ID, VOLUNTEER_IDS, language)
    boss = await services.users.get(COORDINATOR_ID)
    assert boss is not None
    await services.users.set_language(boss.id, language)
    await serve_activity(bot, clock, community, COORDINATOR_ID, VOLUNTEER_IDS, (120, 120), STARTS)

    c = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    await c.command("/report")
    choose = await c.wait_for(predicate=lambda m: t.plain("report.button_export") in str(m.buttons))
    assert "2026-11" in choose.text  # last month by default
    await c.press("2026-12", message=choose)
    await c.press(t.plain("report.format_csv"), message=choose)
    chosen = await c.wait_for(
        predicate=lambda m: m.message_id == choose.message_id and "✅ CSV" in str(m.buttons)
    )
    assert "2026-12" in chosen.text
    await c.press(t.plain("report.button_export"), message=chosen)
    sent = await c.wait_for(
        shown(t, "report.sent", 2, rows=2), predicate=lambda m: m.document is not None
    )
    assert sent.document is not None
    name = sent.document["file_name"]
    assert name == f"{community.name(language)}-{t.plain('export.kind_hours')}-2026-12.csv"
    stored = sandbox.world.files[sent.document["file_id"]]
    rows = list(csv.reader(io.StringIO(stored.data.decode("utf-8-sig"))))
    assert rows[0][0] == t.plain("export.column_name")
    assert sorted(r[0] for r in rows[1:]) == [f"志愿者{tid}" for tid in VOLUNTEER_IDS]
    assert {r[3] for r in rows[1:]} == {"2.0"}

    # points, as Excel
    await c.press(t.plain("export.kind_points"), message=chosen)
    await c.press(t.plain("report.format_xlsx"), message=chosen)
    await c.wait_for(
        predicate=lambda m: m.message_id == choose.message_id and "✅ Excel" in str(m.buttons)
    )
    await c.press(t.plain("report.button_export"), message=choose.message_id)
    book = await c.wait_for(
        predicate=lambda m: m.document is not None and m.document["file_name"].endswith(".xlsx")
    )
    assert book.document is not None
    sheet = load_workbook(io.BytesIO(sandbox.world.files[book.document["file_id"]].data)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][2] == t.plain("export.column_earned")
    assert sorted(v[2] for v in values[1:]) == [6, 6]  # 2 h at 3 points an hour

    # the chart of the last 12 weeks, a photo
    await c.command("/chart")
    caption = shown(t, "chart.caption", 1, unit=community.name(language), orders=1, hours="4")
    chart = await c.wait_for(caption, predicate=lambda m: m.photo is not None)
    assert chart.photo is not None

    v = sandbox.user(VOLUNTEER_IDS[0], language_code=code)
    await v.command("/report")
    await v.wait_for(shown(t, "error.not_allowed"))
    await v.command("/chart")
    await v.wait_for(shown(t, "error.not_allowed"))
