"""Simulated users drive a real python-telegram-bot Application polling the sandbox."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import Forbidden

from sandbox import NoSuchButton, Sandbox, SandboxTimeout

pytestmark = pytest.mark.usefixtures("echo_bot")


async def test_command_gets_a_reply_with_entities(sandbox: Sandbox) -> None:
    user = sandbox.user(1001, first_name="王<芳>")
    sent = await user.command("/start")
    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    reply = await user.next_reply()
    assert reply.text == "Welcome 王<芳>!"
    assert reply.html == "Welcome <b>王&lt;芳&gt;</b>!"
    assert reply.entities == [{"type": "bold", "offset": 8, "length": 4}]
    assert reply.buttons == [["Yes", "No"], ["Silent", "Site"]]
    assert reply.callback_data == {"Yes": "yes", "No": "no", "Silent": "silent"}
    assert user.last == reply and user.messages == [reply]


async def test_press_delivers_the_callback_and_returns_the_answer(sandbox: Sandbox) -> None:
    user = sandbox.user(1001)
    await user.command("/start")
    await user.wait_for("Welcome")
    answer = await user.press("No")
    assert (answer.text, answer.show_alert) == ("got no", True)
    edited = await user.wait_for("You chose")
    assert edited.text == "You chose no" and edited.edited
    assert [m.text for m in user.messages] == ["You chose no"]  # the edit applied in place
    assert user.messages[0].raw["edit_date"] >= user.messages[0].date
    answer = await user.press("Yes")  # the newest message with that label
    assert answer.text == "got yes" and not answer.show_alert


async def test_press_data_delivers_forged_and_stale_presses(sandbox: Sandbox) -> None:
    user = sandbox.user(1001)
    await user.command("/start")
    welcome = await user.next_reply()
    answer = await user.press_data(welcome.message_id, "forged-data")
    assert answer.text == "got forged-data"
    answer = await user.press_data(999, "stale")  # no such message any more: still delivered
    assert answer.text == "got stale"
    queries = [e for e in sandbox.chat_log(1001) if e.kind == "callback_query"]
    assert [q.data["data"] for q in queries] == ["forged-data", "stale"]


async def test_unanswered_press_raises_a_clear_error(sandbox: Sandbox) -> None:
    user = sandbox.user(1001)
    await user.command("/start")
    await user.next_reply()
    with pytest.raises(SandboxTimeout, match="did not answer the callback query 'silent'"):
        await user.press("Silent", timeout=0.5)
    with pytest.raises(NoSuchButton, match="not a callback button"):
        await user.press("Site")
    with pytest.raises(NoSuchButton, match="no message has an inline button 'Maybe'"):
        await user.press("Maybe")


async def test_reply_keyboard_taps(sandbox: Sandbox) -> None:
    user = sandbox.user(1001, phone_number="+8613800138000")
    await user.command("/keyboard")
    await user.wait_for("Use the keyboard")
    assert user.reply_keyboard == [["📱 Phone", "📍 Where"], ["👥 Pick", "plain"]]
    await user.tap("📱 Phone")
    assert (await user.next_reply()).text == "phone +8613800138000 own=True"
    assert user.reply_keyboard is None  # one_time_keyboard hides it
    with pytest.raises(NoSuchButton):
        await user.tap("plain")
    await user.command("/keyboard")
    await user.next_reply()
    await user.tap("📍 Where", latitude=30.55, longitude=114.27)
    assert (await user.next_reply()).text == "at 30.55,114.27"
    await user.command("/keyboard")
    await user.next_reply()
    await user.tap("👥 Pick", shared_user_ids=[2001, 2002])
    assert (await user.next_reply()).text == "users [2001, 2002]"
    await user.command("/keyboard")
    await user.next_reply()
    await user.tap("plain")
    assert (await user.next_reply()).text == "echo: plain"


async def test_contacts_and_locations(sandbox: Sandbox) -> None:
    user = sandbox.user(1001)
    await user.share_contact(phone_number="+8613900000001", user_id=None)
    assert (await user.next_reply()).text == "phone +8613900000001 own=False"
    await user.share_location(latitude=30.55, longitude=114.27)
    assert (await user.next_reply()).text == "at 30.55,114.27"


async def test_deletions_and_message_ids(sandbox: Sandbox) -> None:
    user = sandbox.user(1001)
    await user.command("/keyboard")
    await user.wait_for("Use the keyboard")
    assert user.reply_keyboard is not None
    await user.command("/drop")  # sends with ReplyKeyboardRemove, then deletes that message
    await sandbox.wait_until(lambda: any(e.kind == "deleted" for e in sandbox.chat_log(1001)))
    assert user.reply_keyboard is None
    assert [m.text for m in user.messages] == ["Use the keyboard"]  # the dropped one is gone
    kinds = [e.kind for e in sandbox.chat_log(1001)]
    assert kinds == ["user_message", "sent", "user_message", "sent", "deleted"]
    ids = [e.message_id for e in sandbox.chat_log(1001)]
    assert ids == [1, 2, 3, 4, 4]  # user and bot share the chat's increasing counter
    assert "short-lived" in sandbox.all_bot_messages()  # deleted, but it was sent


async def test_wait_for_lists_what_came_instead(sandbox: Sandbox) -> None:
    user = sandbox.user(1001)
    await user.send("hello")
    with pytest.raises(AssertionError) as caught:
        await user.wait_for("goodbye", timeout=0.5)
    message = str(caught.value)
    assert "waited 0.5s for a bot message containing 'goodbye'" in message
    assert "sent message 2: 'echo: hello'" in message


async def test_wait_for_with_predicate_and_successive_replies(sandbox: Sandbox) -> None:
    user = sandbox.user(1001)
    await user.command("/start")
    await user.next_reply()
    await user.press("Yes")
    edited = await user.wait_for(predicate=lambda m: m.edited)
    assert edited.text == "You chose yes"


async def test_users_are_kept_per_id(sandbox: Sandbox) -> None:
    a = sandbox.user(1001, first_name="A")
    assert sandbox.user(1001) is a
    assert sandbox.user(1001, last_name="Z").profile["last_name"] == "Z"
    assert a.profile["first_name"] == "A" and a.profile["language_code"] == "zh-hans"


async def test_all_bot_messages_and_chat_log_cover_every_chat(sandbox: Sandbox) -> None:
    for uid in (1001, 1002):
        user = sandbox.user(uid)
        await user.send(f"from {uid}")
        await user.next_reply()
    assert sandbox.all_bot_messages() == ["echo: from 1001", "echo: from 1002"]
    assert [e.kind for e in sandbox.chat_log(1002)] == ["user_message", "sent"]


async def test_blocked_user_gives_403_and_a_member_update(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    user.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await tg.send_message(1001, "anyone there?")
    await user.send("back")  # writing again unblocks
    assert (await user.next_reply()).text == "echo: back"


async def test_groups(sandbox: Sandbox) -> None:
    group = sandbox.group(-1001234567890, title="Volunteers")
    member = sandbox.user(1001, first_name="Li")
    await group.send(member, "hi all")
    reply = await group.next_reply()
    assert reply.text == "echo: hi all" and reply.chat_id == -1001234567890
    assert group.chat.type == "supergroup" and 1001 in group.chat.members
