"""End to end over HTTP, zh and en: a volunteer who served asks /certificate and gets a
PDF document whose text holds their name, hours and serial (English beside the Chinese
for a reader of English); someone else checks it with /verify — typed in lower case —
and is told whose it is (masked) and the hours; a tampered serial is not found; a
volunteer with no records is told why there is none."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from bot.i18n import get_translator
from sandbox import Sandbox
from tests.support.bot import RunningBot, clock_at
from tests.support.chat import language_code, serve_activity, shown, staff

COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9491
VOLUNTEER_IDS = (2491, 2492)
STRANGER_ID = 2499
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)

clock = clock_at(NOW)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_volunteer_gets_a_certificate_and_anyone_verifies_it(
    bot_on_clock: RunningBot, sandbox: Sandbox, clock: object, language: str
) -> None:
    bot = bot_on_clock
    t, code = get_translator(language), language_code(language)
    community = await staff(bot, COMMUNITY, COORDINATOR_ID, VOLUNTEER_IDS, language)
    await serve_activity(
        bot, clock, community, COORDINATOR_ID, VOLUNTEER_IDS[:1], (150,), NOW + timedelta(days=1)
    )
    v = sandbox.user(VOLUNTEER_IDS[0], language_code=code)
    await v.command("/certificate")
    sent = await v.wait_for(predicate=lambda m: m.document is not None, timeout=15)
    assert sent.document is not None and sent.document["file_name"].endswith(".pdf")
    data = sandbox.world.files[sent.document["file_id"]].data
    assert data is not None
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    name = f"志愿者{VOLUNTEER_IDS[0]}"
    assert "志愿服务记录证明" in text and name in text and "2.5" in text
    if language == "en":
        assert "Volunteer Service Record Certificate" in text
    found = re.search(r"HYZM\d{4}[0-9A-Z]{10}", sent.content)
    assert found is not None, sent.content
    serial = found.group(0)
    assert serial in text

    stranger = sandbox.user(STRANGER_ID, language_code=code)
    await stranger.command("/verify", serial.lower())
    verified = await stranger.wait_for(serial)
    assert "2.5" in verified.text and name not in verified.text  # masked
    tampered = serial[:-1] + ("2" if serial[-1] != "2" else "3")
    await stranger.command("/verify", tampered)
    await stranger.wait_for(shown(t, "certificate.not_found"))
    await stranger.command("/verify")
    await stranger.wait_for(shown(t, "certificate.verify_how"))

    other = sandbox.user(VOLUNTEER_IDS[1], language_code=code)
    await other.command("/certificate")
    await other.wait_for(shown(t, "invalid.certificate.no_records"))
