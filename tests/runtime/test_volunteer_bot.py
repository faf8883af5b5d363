"""bot.runtime.volunteer_bot.VolunteerBot: answerCallbackQuery and the waitlist's edit
(``edit_text``) sent lean (ReqwestRequest.post_json) send what PTB sends and fail as PTB
fails; what the lean way does not cover goes through PTB."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Defaults
from telegram.request import HTTPXRequest

from bot.runtime.http_client import ReqwestRequest
from bot.runtime.volunteer_bot import VolunteerBot
from sandbox import Sandbox
from tests.runtime.conftest import seconds


def volunteer_bot(sandbox: Sandbox, defaults: Defaults | None = None) -> VolunteerBot:
    return VolunteerBot(
        sandbox.token,
        defaults=defaults,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        request=ReqwestRequest(connection_pool_size=4),
        get_updates_request=ReqwestRequest(connection_pool_size=1),
    )


def answered_params(sandbox: Sandbox) -> dict[str, Any]:
    params = dict(sandbox.calls("answerCallbackQuery")[-1].params)
    params.pop("callback_query_id")
    return params


async def test_the_lean_answer_is_ptb_s_answer(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    lean, ptb = user.send_callback(1, "gr:1"), user.send_callback(1, "gr:2")
    async with volunteer_bot(sandbox) as bot:
        assert await bot.answer_callback_query(lean.id, "名额已满 & <b>", show_alert=True) is True
    sent_lean = answered_params(sandbox)
    assert await tg.answer_callback_query(ptb.id, "名额已满 & <b>", show_alert=True) is True
    assert sent_lean == answered_params(sandbox) == {"text": "名额已满 & <b>", "show_alert": True}
    assert lean.answer is not None and lean.answer.text == "名额已满 & <b>"
    assert lean.answer.show_alert is True
    # no text, no alert: only the id, as PTB sends it
    bare = user.send_callback(1, "gr:3")
    async with volunteer_bot(sandbox) as bot:
        assert await bot.answer_callback_query(bare.id) is True
    assert answered_params(sandbox) == {}


async def test_the_lean_answer_fails_as_ptb_s(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    query = user.send_callback(1, "gr:1")
    async with volunteer_bot(sandbox) as bot:
        await bot.answer_callback_query(query.id)
        with pytest.raises(BadRequest) as lean:  # answered already
            await bot.answer_callback_query(query.id)
        with pytest.raises(BadRequest) as ptb:
            await tg.answer_callback_query(query.id)
        assert str(lean.value) == str(ptb.value)

        sandbox.faults.add(kind="429", method="answerCallbackQuery", retry_after=7, times=1)
        with pytest.raises(RetryAfter) as limited:
            await bot.answer_callback_query(user.send_callback(1, "gr:2").id)
        assert seconds(limited.value.retry_after) == 7

    idle = volunteer_bot(sandbox)  # never initialized: as PTB's way says it
    with pytest.raises(NetworkError, match="not initialized"):
        await idle.answer_callback_query(user.send_callback(1, "gr:3").id)


async def test_what_the_lean_way_does_not_cover_goes_through_ptb(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("not for the lean way")

    user = sandbox.user(1001)
    async with volunteer_bot(sandbox) as bot:
        monkeypatch.setattr(ReqwestRequest, "post_json", refuse)
        query = user.send_callback(1, "gr:1")
        assert await bot.answer_callback_query(query.id, "ok", cache_time=30) is True
        assert answered_params(sandbox) == {"text": "ok", "cache_time": 30}
        query = user.send_callback(1, "gr:2")
        assert await bot.answer_callback_query(query.id, api_kwargs={"url": "t.me/x"})
        assert answered_params(sandbox)["url"] == "t.me/x"
    # a bot on another HTTP client answers through PTB too
    other = VolunteerBot(sandbox.token, base_url=sandbox.base_url, request=HTTPXRequest())
    async with other:
        assert await other.answer_callback_query(user.send_callback(1, "gr:3").id, "x")
        assert answered_params(sandbox) == {"text": "x"}


def edited_params(sandbox: Sandbox) -> dict[str, Any]:
    return dict(sandbox.calls("editMessageText")[-1].params)


async def test_the_lean_edit_is_ptb_s_edit(sandbox: Sandbox) -> None:
    user = sandbox.user(1001)
    buttons = [[("候补 & <b>", "gw:1")]]
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("候补 & <b>", callback_data="gw:1")]])
    async with volunteer_bot(sandbox, Defaults(parse_mode=ParseMode.HTML)) as bot:  # as the app's
        sent = await bot.send_message(user.id, "活动")
        await bot.edit_text(user.id, sent.message_id, "<b>已满</b> &amp;", buttons)
        lean = edited_params(sandbox)
        await bot.edit_message_text(
            "<b>已满</b> &amp; 2", chat_id=user.id, message_id=sent.message_id, reply_markup=markup
        )
        ptb = edited_params(sandbox)
        with pytest.raises(BadRequest, match="not modified") as refused:  # as PTB's says it
            await bot.edit_text(user.id, sent.message_id, "<b>已满</b> &amp; 2", buttons)
        with pytest.raises(BadRequest) as refused_by_ptb:
            await bot.edit_message_text(
                "<b>已满</b> &amp; 2",
                chat_id=user.id,
                message_id=sent.message_id,
                reply_markup=markup,
            )
        assert str(refused.value) == str(refused_by_ptb.value)
    ptb["text"] = lean["text"]
    assert lean == ptb
    shown = user.messages[-1]
    assert shown.text == "已满 & 2"
    assert lean["parse_mode"] == "HTML"


async def test_the_lean_edit_without_its_client_goes_through_ptb(sandbox: Sandbox) -> None:
    user = sandbox.user(1001)
    other = VolunteerBot(sandbox.token, base_url=sandbox.base_url, request=HTTPXRequest())
    async with other:
        sent = await other.send_message(user.id, "活动")
        await other.edit_text(user.id, sent.message_id, "已满", [[("x", "gw:1")]])
    assert edited_params(sandbox)["text"] == "已满"
    assert edited_params(sandbox)["reply_markup"] == {
        "inline_keyboard": [[{"text": "x", "callback_data": "gw:1"}]]
    }
    assert user.messages[-1].text == "已满"
