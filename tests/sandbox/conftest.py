"""Helpers for the sandbox's own tests: a python-telegram-bot client and raw HTTP calls."""

from __future__ import annotations

import datetime as dtm
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.ext import Application

from sandbox import Sandbox
from tests.sandbox.echo_bot import build_echo_app, start_polling, stop_polling


def seconds(period: float | dtm.timedelta) -> float:
    """A PTB time period in seconds: ``RetryAfter.retry_after`` is a timedelta when
    ``PTB_TIMEDELTA`` is set (``bot/__init__.py`` sets it), an int otherwise."""
    return period.total_seconds() if isinstance(period, dtm.timedelta) else float(period)


@pytest.fixture
async def tg(sandbox: Sandbox) -> AsyncIterator[Bot]:
    """python-telegram-bot's own Bot, talking to the sandbox over HTTP."""
    async with Bot(
        sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    ) as bot:
        yield bot


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def raw_call(
    http: aiohttp.ClientSession,
    sandbox: Sandbox,
    method: str,
    params: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    form: bool = False,
) -> tuple[int, dict[str, Any]]:
    """POST a Bot API call as JSON (or form-urlencoded, values JSON-encoded like PTB does)."""
    url = f"{sandbox.base_url}{token or sandbox.token}/{method}"
    if form:
        data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (params or {}).items()}
        async with http.post(url, data=data) as resp:
            return resp.status, await resp.json()
    async with http.post(url, json=params or {}) as resp:
        return resp.status, await resp.json()


@pytest.fixture
async def echo_bot(sandbox: Sandbox) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """A small PTB Application polling the sandbox over HTTP (see echo_bot.py)."""
    app = build_echo_app(sandbox.base_url, sandbox.base_file_url, sandbox.token)
    await start_polling(app)
    try:
        yield app
    finally:
        await stop_polling(app)
