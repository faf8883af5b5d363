"""Without api.json (a deployed demo) the sandbox validates with its built-in lists."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest

from sandbox import Sandbox
from sandbox.fallback_spec import METHODS
from sandbox.methods import HANDLERS
from sandbox.spec import load_spec
from tests.sandbox.conftest import raw_call
from tests.support.sandbox import SPEC_PATH


@pytest.fixture
async def bare(caplog: pytest.LogCaptureFixture) -> AsyncIterator[Sandbox]:
    with caplog.at_level(logging.INFO, logger="sandbox"):
        sb = Sandbox(Path("/nonexistent/api.json"))
    await sb.start()
    yield sb
    await sb.stop()


def test_the_fallback_is_announced(bare: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    assert not bare.spec.from_file
    assert any("no Bot API spec" in r.getMessage() for r in caplog.get_records("setup"))
    assert bare.limits.source == "python-telegram-bot constants"
    assert (bare.limits.text_max, bare.limits.callback_data_max) == (4096, 64)


def test_fallback_lists_agree_with_the_spec() -> None:
    """Every implemented method is in the fallback, with the spec's parameters."""
    spec = load_spec(SPEC_PATH)
    assert spec.from_file
    assert set(METHODS) == set(HANDLERS)
    fallback = load_spec(Path("/nonexistent/api.json"))
    for method in HANDLERS:
        assert [(f.name, f.types, f.required) for f in fallback.methods[method]] == [
            (f.name, f.types, f.required) for f in spec.methods[method]
        ], method


async def test_fallback_still_validates(bare: Sandbox) -> None:
    bare.user(1001)
    async with Bot(bare.token, base_url=bare.base_url) as tg:
        with pytest.raises(BadRequest, match="too long"):
            await tg.send_message(1001, "x" * 4097)
        with pytest.raises(BadRequest, match="data_invalid"):
            too_long = InlineKeyboardButton("a", callback_data="d" * 65)
            await tg.send_message(1001, "x", reply_markup=InlineKeyboardMarkup([[too_long]]))
        with pytest.raises(BadRequest, match="Unknown parameter"):
            await tg.send_message(1001, "x", api_kwargs={"colour": "red"})
        await tg.send_message(1001, "keys", reply_markup=ReplyKeyboardMarkup([["a", "b"]]))
        await tg.set_my_commands([BotCommand("start", "Go")], scope=BotCommandScopeChat(1001))
        assert bare.commands({"type": "chat", "chat_id": 1001}) == [
            {"command": "start", "description": "Go"}
        ]
    assert bare.user(1001).reply_keyboard == [["a", "b"]]
    async with aiohttp.ClientSession() as http:
        status, body = await raw_call(http, bare, "sendDice", {"chat_id": 1001})
    assert (status, body["description"]) == (404, "Not Found")  # only implemented methods exist
