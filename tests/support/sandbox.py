"""The ``sandbox`` fixture: a Bot API emulator on a free port, in the test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox import Sandbox
from tests.support.stopping import stop_within

# tests/support/sandbox.py → parents[2] is the repository root; the spec lives beside it.
SPEC_PATH = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "telegram-bot-api-spec" / "api.json"
)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(SPEC_PATH if SPEC_PATH.is_file() else None)
    await sb.start(host="127.0.0.1", port=0)
    try:
        yield sb
    finally:
        await stop_within(sb.stop(), "the sandbox")
