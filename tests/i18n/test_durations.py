"""Spans of time in messages ("within 2 hours of the start") read as people say them,
also when the configured span is one hour or not a whole number of hours."""

from __future__ import annotations

import pytest

from bot.i18n import get_translator
from bot.messages.common import duration_text


@pytest.mark.parametrize(
    ("language", "hours", "expected"),
    [
        ("en", 1, "1 hour"),
        ("en", 2, "2 hours"),
        ("en", 1.5, "90 minutes"),
        ("en", 0.25, "15 minutes"),
        ("en", 1 / 60, "1 minute"),
        ("zh_CN", 2, "2 小时"),
        ("zh_CN", 0.5, "30 分钟"),
    ],
)
def test_a_span_is_said_in_hours_when_whole_else_in_minutes(
    language: str, hours: float, expected: str
) -> None:
    assert str(duration_text(get_translator(language), hours)) == expected


def test_the_late_cancellation_warning_says_one_hour_not_one_hours() -> None:
    t = get_translator("en")
    text = str(t("grab.ask_cancel_late", span=duration_text(t, 1)))
    assert "less than 1 hour:" in text and "1 hours" not in text
