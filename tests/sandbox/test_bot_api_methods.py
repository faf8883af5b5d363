"""The implemented methods have their real effect on the simulated chats."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    MenuButtonDefault,
    MenuButtonWebApp,
    ReplyParameters,
    WebAppInfo,
)
from telegram.error import BadRequest

from sandbox import Sandbox

MARKUP = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])


async def test_message_ids_increase_per_chat(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sandbox.user(1002)
    a = [(await tg.send_message(1001, f"a{i}")).message_id for i in range(3)]
    b = [(await tg.send_message(1002, f"b{i}")).message_id for i in range(2)]
    assert a == [1, 2, 3] and b == [1, 2]
    sent = await tg.send_message(1001, "x")
    assert sent.from_user is not None and sent.from_user.id == 5550001
    assert sent.from_user.is_bot and sent.chat.id == 1001 and sent.date is not None


async def test_edits_apply_to_the_users_view(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    sent = await tg.send_message(1001, "draft", reply_markup=MARKUP)
    edited = await tg.edit_message_text("<i>final</i>", 1001, sent.message_id, parse_mode="HTML")
    assert not isinstance(edited, bool) and edited.edit_date is not None
    assert user.last is not None
    assert (user.last.text, user.last.html, user.last.edited) == ("final", "<i>final</i>", True)
    assert user.last.buttons == []  # editing without reply_markup drops the keyboard
    await tg.edit_message_reply_markup(1001, sent.message_id, reply_markup=MARKUP)
    assert user.last.buttons == [["A"]]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await tg.edit_message_reply_markup(1001, sent.message_id, reply_markup=MARKUP)
    with pytest.raises(BadRequest, match="no caption"):
        await tg.edit_message_caption(1001, sent.message_id, caption="c")
    doc = await tg.send_document(1001, b"x", filename="x.txt", caption="old")
    await tg.edit_message_caption(1001, doc.message_id, caption="<b>new</b>", parse_mode="HTML")
    assert user.last is not None and user.last.caption == "new" and user.last.edited
    kinds = [e.kind for e in sandbox.chat_log(1001)]
    assert kinds == ["sent", "edited", "edited", "sent", "edited"]


async def test_delete_message(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    keep = await tg.send_message(1001, "keep")
    drop = await tg.send_message(1001, "drop")
    assert await tg.delete_message(1001, drop.message_id)
    assert [m.message_id for m in user.messages] == [keep.message_id]
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await tg.delete_message(1001, drop.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await tg.edit_message_text("x", 1001, drop.message_id)


async def test_replies_copies_and_forwards(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    sandbox.user(1002)
    asked = await user.send("where?")
    reply = await tg.send_message(
        1001, "here", reply_parameters=ReplyParameters(asked["message_id"])
    )
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "where?"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await tg.send_message(1001, "x", reply_parameters=ReplyParameters(999))
    copied = await tg.copy_message(1002, 1001, asked["message_id"])
    assert sandbox.user(1002).messages[-1].message_id == copied.message_id
    assert sandbox.user(1002).messages[-1].text == "where?"
    forwarded = await tg.forward_message(1002, 1001, reply.message_id)
    assert forwarded.forward_origin is not None and forwarded.text == "here"


async def test_location_action_chat_and_menu_button(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001, first_name="Li", username="li_01")
    sent = await tg.send_location(1001, 30.55, 114.27)
    assert user.last is not None and user.last.location == {"latitude": 30.55, "longitude": 114.27}
    assert sent.location is not None
    assert await tg.send_chat_action(1001, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await tg.send_chat_action(1001, "dancing")
    chat = await tg.get_chat("@li_01")
    assert (chat.id, chat.first_name, chat.type) == (1001, "Li", "private")
    assert isinstance(await tg.get_chat_menu_button(1001), MenuButtonCommands)
    app = MenuButtonWebApp("Open", WebAppInfo("https://example.org/app"))
    await tg.set_chat_menu_button(1001, app)
    assert await tg.get_chat_menu_button(1001) == app
    await tg.set_chat_menu_button(1001, MenuButtonDefault())
    assert isinstance(await tg.get_chat_menu_button(1001), MenuButtonCommands)


async def test_log_out_and_close(sandbox: Sandbox, tg: Bot) -> None:
    assert await tg.log_out() is True
    assert await tg.close() is True
    assert [r.method for r in sandbox.requests][-2:] == ["logOut", "close"]
