"""bot.runtime.event_loop: uvloop's loop where installed, asyncio's when asked for."""

from __future__ import annotations

import asyncio

import pytest

from bot.runtime import event_loop


async def _which() -> str:
    await asyncio.sleep(0)
    return event_loop.loop_name(asyncio.get_running_loop())


def test_uvloop_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("uvloop")
    monkeypatch.delenv(event_loop.ENV, raising=False)
    assert event_loop.run(_which()) == "uvloop"


def test_asyncio_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(event_loop.ENV, "asyncio")
    assert event_loop.run(_which()) == "asyncio"


def test_new_event_loop_is_the_current_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(event_loop.ENV, raising=False)
    loop = event_loop.new_event_loop()
    try:
        assert asyncio.get_event_loop_policy().get_event_loop() is loop
        assert loop.run_until_complete(_which()) == event_loop.loop_name(loop)
    finally:
        asyncio.set_event_loop(None)
        loop.close()
