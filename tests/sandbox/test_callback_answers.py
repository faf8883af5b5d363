"""answerCallbackQuery: once, within 15 s, text up to 200 characters."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from sandbox import Sandbox


async def test_answering_twice_or_late_is_refused(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    sent = await tg.send_message(1001, "x", reply_markup=markup)
    first = user.send_callback(sent.message_id, "go")
    assert await tg.answer_callback_query(first.id, text="done")
    with pytest.raises(BadRequest, match="Query is too old"):
        await tg.answer_callback_query(first.id)
    late = user.send_callback(sent.message_id, "go")
    sandbox.advance_clock(16)
    with pytest.raises(BadRequest, match="Query is too old"):
        await tg.answer_callback_query(late.id)
    timely = user.send_callback(sent.message_id, "go")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await tg.answer_callback_query(timely.id, text="t" * 201)
    assert await tg.answer_callback_query(timely.id, text="t" * 200)
    assert first.answer is not None and first.answer.text == "done"
