"""Dates and time windows of a request: the day buttons, the window buttons, and typed
``2026-12-03 14:00-16:00`` (or ``14:00-16:00`` once the day is chosen), all in the
configured timezone. Pure functions: the steps in handlers/requests/steps.py use them."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.kernel.errors import InvalidValue
from bot.services.requests import windows

DAYS_AHEAD = 7  # today and the six days after it
MAX_DAYS_AHEAD = 60  # the default of [orders] max_days_ahead
WINDOWS = (
    "08:00-10:00",
    "09:00-11:00",
    "10:00-12:00",
    "14:00-16:00",
    "16:00-18:00",
    "19:00-21:00",
)
_DASH = r"\s*(?:-|\u2013|\u2014|~|\uff5e|\u81f3|\u5230)\s*"  # - – — ~ ～ 至 到
_TIME = r"(\d{1,2})[:\uff1a](\d{2})"  # : or the full-width ：
WINDOW_RE = re.compile(rf"^\s*{_TIME}{_DASH}{_TIME}\s*$")
FULL_RE = re.compile(rf"^\s*(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})\s+{_TIME}{_DASH}{_TIME}\s*$")
DAY_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class BadFormat(ValueError):
    """Not a date or window this step understands."""


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def day_choices(now: datetime, timezone: str, max_days_ahead: int = DAYS_AHEAD) -> list[date]:
    """Today and the days after it, as buttons (never beyond ``max_days_ahead``)."""
    today = local_today(now, timezone)
    return [today + timedelta(days=n) for n in range(min(DAYS_AHEAD, max_days_ahead + 1))]


def _time(hour: str, minute: str) -> time:
    try:
        return time(int(hour), int(minute))
    except ValueError:
        raise BadFormat from None


def _day(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise BadFormat from None


def parse_window(text: str) -> tuple[time, time]:
    match = WINDOW_RE.match(text)
    if match is None:
        raise BadFormat
    h1, m1, h2, m2 = match.groups()
    return _time(h1, m1), _time(h2, m2)


def parse_full(text: str) -> tuple[date, time, time] | None:
    """``2026-12-03 14:00-16:00``; None if the text is not of that form."""
    match = FULL_RE.match(text)
    if match is None:
        return None
    y, mo, d, h1, m1, h2, m2 = match.groups()
    return _day(y, mo, d), _time(h1, m1), _time(h2, m2)


def parse_day(text: str) -> date | None:
    match = DAY_RE.match(text)
    return _day(*match.groups()) if match else None


def window(
    day: date,
    start: time,
    end: time,
    now: datetime,
    timezone: str,
    max_days_ahead: int = MAX_DAYS_AHEAD,
) -> tuple[datetime, datetime]:
    """The window as aware datetimes (over midnight: ending the next day);
    InvalidValue when it is past, too short, too far ahead or ends first
    (bot/services/requests/windows.py)."""
    return windows.window_on(day, start, end, now, timezone, max_days_ahead)


def open_windows(day: date, now: datetime, timezone: str) -> list[str]:
    """The common windows of ``day`` that have not started yet."""
    result = []
    for label in WINDOWS:
        start, end = parse_window(label)
        try:
            window(day, start, end, now, timezone)
        except InvalidValue:
            continue
        result.append(label)
    return result
