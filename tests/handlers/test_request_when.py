"""The request's dates and time windows, and its categories from the org file."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.services.kernel.errors import InvalidValue
from bot.services.org.org_file import OrgFileError, parse_org_file
from bot.services.org.units import OrgService
from bot.services.requests import windows
from handlers.requests import when
from storage.database import Database

ZONE = "Asia/Shanghai"
NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, a Sunday
EXAMPLE = Path(__file__).resolve().parents[2] / "orgs.example.toml"


def test_typed_forms() -> None:
    assert when.parse_full("2026-12-03 14:00-16:00") == (date(2026, 12, 3), time(14), time(16))
    assert when.parse_full(" 2026-12-3 9:30 ~ 11:00 ") == (
        date(2026, 12, 3),
        time(9, 30),
        time(11),
    )
    assert when.parse_full("14:00-16:00") is None
    assert when.parse_window("14\uff1a00\u81f316:00") == (time(14), time(16))  # 14：00至16:00
    with pytest.raises(when.BadFormat):
        when.parse_full("2026-02-30 14:00-16:00")
    with pytest.raises(when.BadFormat):
        when.parse_window("25:00-26:00")
    with pytest.raises(when.BadFormat):
        when.parse_window("afternoon")


def test_windows_are_in_the_configured_timezone_and_checked() -> None:
    starts, ends = when.window(date(2026, 11, 30), time(9), time(11), NOW, ZONE)
    assert starts == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert ends - starts == (ends - starts).__class__(hours=2)
    with pytest.raises(InvalidValue) as past:
        when.window(date(2026, 11, 29), time(9), time(11), NOW, ZONE)
    assert past.value.field == "starts_at"
    with pytest.raises(InvalidValue) as backwards:
        when.window(date(2026, 11, 30), time(14), time(12), NOW, ZONE)
    assert backwards.value.field == "ends_at"


def test_day_buttons_and_the_windows_left_today() -> None:
    days = when.day_choices(NOW, ZONE)
    assert days[0] == date(2026, 11, 29) and len(days) == when.DAYS_AHEAD
    assert when.open_windows(date(2026, 11, 29), NOW, ZONE) == [
        "14:00-16:00",
        "16:00-18:00",
        "19:00-21:00",
    ]
    assert when.open_windows(date(2026, 11, 30), NOW, ZONE) == list(when.WINDOWS)


async def test_categories_are_imported_idempotently(db: Database, tmp_path: Path) -> None:
    service = OrgService(db)
    first = await service.import_file(EXAMPLE)
    assert (first.categories_created, first.categories_updated) == (8, 0)
    again = await service.import_file(EXAMPLE)
    assert (again.categories_created, again.categories_updated) == (0, 0)
    categories = await service.categories()
    assert [c.code for c in categories][:3] == ["elderly_visit", "shopping", "medical_escort"]
    visit = await service.category("elderly_visit")
    assert visit is not None and visit.name("zh_CN") == "探访老人"
    assert visit.guidance("en").startswith("Call ahead")

    changed = tmp_path / "orgs.toml"
    text = EXAMPLE.read_text(encoding="utf-8").replace('name_en = "Other"', 'name_en = "Else"')
    changed.write_text(text, encoding="utf-8")
    report = await service.import_file(changed)
    assert (report.categories_created, report.categories_updated) == (0, 1)

    twice = tmp_path / "twice.toml"
    block = text[text.index("\n[[category]]") :]
    twice.write_text(text + "\n" + block, encoding="utf-8")
    with pytest.raises(OrgFileError, match="used twice"):
        parse_org_file(twice)


# ---- issue 12, item 18: windows over midnight, too short, too far ahead -----------------


def test_a_window_over_midnight_ends_the_next_day() -> None:
    starts, ends = when.window(date(2026, 11, 30), time(23), time(1), NOW, ZONE)
    assert starts == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    assert ends == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 01:00 the next day
    starts, ends = when.window(date(2026, 11, 30), time(20), time(8), NOW, ZONE)
    assert ends - starts == timedelta(hours=12)  # a night shift: at most 12 hours
    for start, end in ((time(16), time(14)), (time(14), time(14))):  # a slip, or nothing
        with pytest.raises(InvalidValue) as slip:
            when.window(date(2026, 11, 30), start, end, NOW, ZONE)
        assert (slip.value.field, slip.value.reason) == ("ends_at", "before_start")


def test_a_window_is_at_least_fifteen_minutes() -> None:
    with pytest.raises(InvalidValue) as short:
        when.window(date(2026, 11, 30), time(14), time(14, 14), NOW, ZONE)
    assert (short.value.field, short.value.reason) == ("ends_at", "too_short")
    assert short.value.values == {"minutes": 15}
    starts, ends = when.window(date(2026, 11, 30), time(14), time(14, 15), NOW, ZONE)
    assert ends - starts == timedelta(minutes=15)


def test_a_window_starts_at_most_max_days_ahead() -> None:
    last = date(2026, 11, 29) + timedelta(days=60)
    when.window(last, time(23), time(23, 30), NOW, ZONE, 60)  # the last day, any hour
    with pytest.raises(InvalidValue) as far:
        when.window(last + timedelta(days=1), time(9), time(11), NOW, ZONE, 60)
    assert (far.value.field, far.value.reason, far.value.values) == (
        "starts_at",
        "too_far",
        {"days": 60},
    )
    with pytest.raises(InvalidValue):
        windows.check_day(date(2026, 12, 2), NOW, ZONE, 2)
    windows.check_day(date(2026, 12, 1), NOW, ZONE, 2)
    assert when.day_choices(NOW, ZONE, 2) == [
        date(2026, 11, 29),
        date(2026, 11, 30),
        date(2026, 12, 1),
    ]
