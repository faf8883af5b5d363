"""A python-telegram-bot ``Bot`` talking to the sandbox through the bot's own HTTP client."""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.runtime.http_client import ReqwestRequest
from sandbox import Sandbox


def http_bot(sandbox: Sandbox, **request_kwargs: float | int | None) -> Bot:
    return Bot(
        sandbox.token,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        request=ReqwestRequest(**request_kwargs),  # type: ignore[arg-type]
        get_updates_request=ReqwestRequest(connection_pool_size=1),
    )


def seconds(period: float | dtm.timedelta) -> float:
    """A retry_after or timeout in seconds, whether PTB gives it as a number or a timedelta."""
    return period.total_seconds() if isinstance(period, dtm.timedelta) else float(period)


@pytest.fixture
async def tg(sandbox: Sandbox) -> AsyncIterator[Bot]:
    async with http_bot(sandbox) as bot:
        yield bot
