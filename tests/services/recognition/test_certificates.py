"""Service-record certificates (志愿服务记录证明), on SQLite and PostgreSQL: issued with
the volunteer's records (date, order, unit, hours) and a unique serial; the PDF opens,
its text holds the name, the hours and the serial (in Chinese, and with English for a
reader of English), the CJK font embedded; /verify finds it — typed with spaces or in
lower case too — and a tampered serial finds nothing; no records, no certificate."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from bot.config import load_config
from bot.container import Services
from bot.i18n import get_translator
from bot.messages.certificates import FontMissing, as_pdf
from bot.services.kernel.errors import InvalidValue, NotAllowed
from bot.services.recognition.certificates import mask_phone
from storage.database import Database
from tests.support.orders import volunteers
from tests.support.points import completed
from tests.support.services import FakeClock, Org

FONT = load_config(environ={}).recognition.certificate_font
ZONE = "Asia/Shanghai"


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_a_certificate_states_the_records_and_is_verified_by_its_serial(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    _, order, [person], _ = await completed(db, services, org, clock, 1, hours=2)
    volunteer = await services.users.get(person.telegram_id)
    assert volunteer is not None
    issued = await services.certificates.issue(volunteer)
    name = f"志愿者{person.telegram_id}"
    assert (issued.name, issued.minutes, len(issued.records)) == (name, 120, 1)
    assert issued.records[0].number == order.number
    assert issued.serial.startswith("HYZM2026") and len(issued.serial) == 18
    again = await services.certificates.issue(volunteer)
    assert again.serial != issued.serial  # each its own

    zh = text_of(as_pdf(get_translator("zh_CN"), issued, FONT, ZONE))
    for expected in ("志愿服务记录证明", name, "累计服务时长", issued.serial, order.number, "2"):
        assert expected in zh, expected
    assert issued.masked_phone in zh and "13900139000" not in zh  # the phone masked
    en = text_of(as_pdf(get_translator("en"), issued, FONT, ZONE))
    assert "Volunteer Service Record Certificate" in en and "Total hours" in en
    raw = as_pdf(get_translator("zh_CN"), issued, FONT, ZONE)
    assert b"/FontFile2" in raw and b"/ToUnicode" in raw  # the font embedded, searchable
    found = await services.certificates.verify(issued.serial.lower()[:8] + " " + issued.serial[8:])
    assert found is not None and (found.serial, found.minutes, found.services) == (
        issued.serial,
        120,
        1,
    )
    assert found.name == "志" + "*" * (len(name) - 1)  # masked
    tampered = issued.serial[:-1] + ("2" if issued.serial[-1] != "2" else "3")
    assert await services.certificates.verify(tampered) is None
    assert await services.certificates.verify("   ") is None


async def test_no_records_no_certificate_and_volunteers_only(
    db: Database, services: Services, org: Org
) -> None:
    [fresh] = await volunteers(db, org, 1)
    user = await services.users.get(fresh.telegram_id)
    assert user is not None
    with pytest.raises(InvalidValue) as refused:
        await services.certificates.issue(user)
    assert (refused.value.field, refused.value.reason) == ("certificate", "no_records")
    stranger = await services.users.get(fresh.telegram_id)
    assert stranger is not None
    with pytest.raises(NotAllowed):
        await services.certificates.issue(stranger.__class__(999, 999, "x", "zh_CN", None, None))


def test_a_missing_font_is_said_so() -> None:
    from datetime import UTC, datetime

    from bot.services.recognition.certificates import Issued

    issued = Issued("HYZM2026X", "张三", "138****8000", 60, (), None, datetime.now(UTC))
    with pytest.raises(FontMissing):
        as_pdf(get_translator("zh_CN"), issued, "/nonexistent/font.ttc", ZONE)


def test_phones_are_masked() -> None:
    assert mask_phone("+8613800138000") == "138****8000"
    assert mask_phone("+4915112345678") == "491******5678"


def test_the_command_line_verifies_a_serial(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main as cli_main

    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli_main(["certificate", "verify", "HYZM2026NOSUCHONE2"]) == 1
    assert "no certificate has this serial" in capsys.readouterr().out
