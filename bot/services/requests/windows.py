"""When a service may take place, and when grabbing may open: the rules the request's
questions check as each answer comes (handlers/requests/when.py,
handlers/requests/review_publish.py) and the order service checks again when the
request or activity is stored.

A window is at least :data:`MIN_WINDOW` long, starts in the future and at the latest
``[orders] max_days_ahead`` days ahead (counted in local days: a day that may be chosen
may be chosen at any hour). A window typed over midnight (23:00–01:00) ends the next day,
when that makes it at most :data:`OVERNIGHT_MAX` long; a longer one is read as a slip
(16:00–14:00) and refused as ending before it starts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.kernel.errors import InvalidValue

MIN_WINDOW = timedelta(minutes=15)
OVERNIGHT_MAX = timedelta(hours=12)


def last_day(now: datetime, timezone: str, max_days_ahead: int) -> date:
    """The last local day a service may start on."""
    return now.astimezone(ZoneInfo(timezone)).date() + timedelta(days=max_days_ahead)


def check_day(day: date, now: datetime, timezone: str, max_days_ahead: int) -> None:
    """A day typed for the service: not before today, not after :func:`last_day`."""
    if day < now.astimezone(ZoneInfo(timezone)).date():
        raise InvalidValue("starts_at", "past")
    if day > last_day(now, timezone, max_days_ahead):
        raise InvalidValue("starts_at", "too_far", days=max_days_ahead)


def check_window(
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    timezone: str,
    max_days_ahead: int,
) -> None:
    """InvalidValue naming what is wrong with the window, if anything."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None or starts_at <= now:
        raise InvalidValue("starts_at", "past")
    if ends_at <= starts_at:
        raise InvalidValue("ends_at", "before_start")
    if ends_at - starts_at < MIN_WINDOW:
        raise InvalidValue("ends_at", "too_short", minutes=int(MIN_WINDOW.total_seconds() // 60))
    if starts_at.astimezone(ZoneInfo(timezone)).date() > last_day(now, timezone, max_days_ahead):
        raise InvalidValue("starts_at", "too_far", days=max_days_ahead)


def window_on(
    day: date,
    start: time,
    end: time,
    now: datetime,
    timezone: str,
    max_days_ahead: int,
) -> tuple[datetime, datetime]:
    """``start``–``end`` on ``day`` as aware times, checked; an end before the start
    is the next day's when the window stays within :data:`OVERNIGHT_MAX`."""
    zone = ZoneInfo(timezone)
    starts_at = datetime.combine(day, start, zone)
    ends_at = datetime.combine(day, end, zone)
    if ends_at < starts_at:
        overnight = datetime.combine(day + timedelta(days=1), end, zone)
        if overnight - starts_at <= OVERNIGHT_MAX:
            ends_at = overnight
    check_window(starts_at, ends_at, now, timezone, max_days_ahead)
    return starts_at, ends_at
