"""Every button's data starts with a prefix that one handler answers: two features
sharing a prefix would have the first registered take the other's presses."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from telegram.ext import CallbackQueryHandler

from tests.handlers.conftest import Harness

PREFIX = re.compile(r"^\^(?P<prefix>[a-z]+)(?:\\?:|\(:\|\$\)|:)")


@pytest.mark.backends("sqlite")  # the handlers are the same on both
async def test_each_callback_prefix_has_one_handler(harness: Harness) -> None:
    prefixes = []
    for group in harness.app.handlers.values():
        for handler in group:
            if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
                pattern = getattr(handler.pattern, "pattern", handler.pattern)
                found = PREFIX.match(str(pattern))
                assert found, f"a callback pattern without a prefix: {pattern!r}"
                prefixes.append(found["prefix"])
    assert len(prefixes) > 40
    assert [p for p, n in Counter(prefixes).items() if n > 1] == []
