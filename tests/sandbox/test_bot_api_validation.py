"""Over real HTTP, the sandbox refuses what Telegram would refuse, in Telegram's words."""

from __future__ import annotations

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
from telegram.error import BadRequest, InvalidToken

from sandbox import Sandbox
from tests.sandbox.conftest import raw_call

pytestmark = pytest.mark.usefixtures("sandbox")


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def test_text_of_4096_is_sent_and_4097_refused(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sent = await tg.send_message(1001, "x" * 4096)
    assert sent.text == "x" * 4096
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await tg.send_message(1001, "x" * 4097)


async def test_length_counts_utf16_code_units(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    await tg.send_message(1001, "😀" * 2048)  # 2048 characters, 4096 UTF-16 units
    with pytest.raises(BadRequest, match="too long"):
        await tg.send_message(1001, "😀" * 2048 + "x")
    await tg.send_message(1001, "王" * 4096)  # one unit each


async def test_length_is_counted_after_entity_parsing(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sent = await tg.send_message(1001, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    assert sent.text == "x" * 4096 and sent.entities[0].type == "bold"
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await tg.send_message(1001, "<b> </b>", parse_mode="HTML")


async def test_caption_limit(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    await tg.send_document(1001, b"data", filename="a.txt", caption="c" * 1024)
    with pytest.raises(BadRequest, match="caption is too long"):
        await tg.send_document(1001, b"data", filename="a.txt", caption="c" * 1025)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", "Character entity expected at byte offset 4"),
    ],
)
async def test_bad_html_is_refused(sandbox: Sandbox, tg: Bot, text: str, reason: str) -> None:
    sandbox.user(1001)
    with pytest.raises(BadRequest, match=r"^Can't parse entities: "):
        await tg.send_message(1001, text, parse_mode="HTML")
    logged = sandbox.requests[-1]
    assert (logged.method, logged.status, logged.ok) == ("sendMessage", 400, False)
    assert logged.description == f"Bad Request: can't parse entities: {reason}"


async def test_escaped_html_is_accepted(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    sent = await tg.send_message(1001, "&lt;b&gt;&amp; <b>ok</b>", parse_mode="HTML")
    assert sent.text == "<b>& ok"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 5, 2)]
    assert user.last is not None and user.last.html == "&lt;b&gt;&amp; <b>ok</b>"


async def test_callback_data_limit_is_64_bytes(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    await tg.send_message(1001, "ok", reply_markup=keyboard([("a", "é" * 32)]))  # 64 bytes
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await tg.send_message(1001, "x", reply_markup=keyboard([("a", "d" * 65)]))
    with pytest.raises(BadRequest, match="data_invalid"):
        await tg.send_message(1001, "x", reply_markup=keyboard([("a", "é" * 32 + "d")]))


async def test_inline_keyboard_sizes_and_actions(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.user(1001)
    nine = [[{"text": str(i), "callback_data": str(i)} for i in range(9)]]
    status, body = await raw_call(
        http, sandbox, "sendMessage",
        {"chat_id": 1001, "text": "x", "reply_markup": {"inline_keyboard": nine}},
    )  # fmt: skip
    assert (status, body["description"]) == (400, "Bad Request: BUTTONS_TOO_MUCH")
    many = [[{"text": "b", "callback_data": "d"}] * 8] * 13  # 104 buttons
    status, body = await raw_call(
        http, sandbox, "sendMessage",
        {"chat_id": 1001, "text": "x", "reply_markup": {"inline_keyboard": many}},
    )  # fmt: skip
    assert body["description"] == "Bad Request: BUTTONS_TOO_MUCH"
    for button in ({"text": "b"}, {"text": "b", "callback_data": "d", "url": "https://x.org"}):
        status, body = await raw_call(
            http, sandbox, "sendMessage",
            {"chat_id": 1001, "text": "x", "reply_markup": {"inline_keyboard": [[button]]}},
        )  # fmt: skip
        assert status == 400
        assert body["description"].startswith("Bad Request: can't parse inline keyboard button")


async def test_unknown_method_is_404(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    status, body = await raw_call(http, sandbox, "sendMesage", {"chat_id": 1, "text": "x"})
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_known_but_unimplemented_method_says_so(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    status, body = await raw_call(http, sandbox, "sendDice", {"chat_id": 1})
    assert status == 400
    assert body["description"] == "Bad Request: method sendDice is not supported by the sandbox"


async def test_method_names_are_case_insensitive(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    status, body = await raw_call(http, sandbox, "GETME")
    assert status == 200 and body["result"]["username"] == "sandbox_5550001_bot"
    async with http.get(f"{sandbox.base_url}{sandbox.token}/getme") as resp:
        assert (await resp.json())["result"]["is_bot"] is True


async def test_unknown_parameter_is_named(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    sandbox.user(1001)
    status, body = await raw_call(
        http, sandbox, "sendMessage", {"chat_id": 1001, "text": "x", "parse_mod": "HTML"}
    )
    assert status == 400
    assert body["description"] == 'Bad Request: unknown parameter "parse_mod" in method sendMessage'


async def test_unknown_field_inside_an_object_is_named(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.user(1001)
    markup = {"inline_keyboard": [[{"text": "a", "callback": "x"}]]}
    status, body = await raw_call(
        http, sandbox, "sendMessage", {"chat_id": 1001, "text": "x", "reply_markup": markup}
    )
    assert status == 400
    assert 'unknown field "callback"' in body["description"]


async def test_missing_and_mistyped_parameters(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.user(1001)
    status, body = await raw_call(http, sandbox, "sendMessage", {"chat_id": 1001})
    assert (status, body["description"]) == (
        400, 'Bad Request: parameter "text" is required for method sendMessage'
    )  # fmt: skip
    status, body = await raw_call(
        http,
        sandbox,
        "sendMessage",
        {"chat_id": 1001, "text": "x", "disable_notification": "maybe"},
    )
    assert status == 400 and '"disable_notification" must be of type Boolean' in body["description"]
    status, body = await raw_call(http, sandbox, "sendMessage", {"chat_id": [1], "text": "x"})
    assert status == 400 and "Integer or String" in body["description"]


async def test_form_encoding_with_json_values_like_ptb(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    user = sandbox.user(1001)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    status, body = await raw_call(
        http, sandbox, "sendMessage",
        {"chat_id": "1001", "text": "hi", "disable_notification": True, "reply_markup": markup},
        form=True,
    )  # fmt: skip
    assert status == 200 and body["result"]["reply_markup"] == markup
    assert user.last is not None and user.last.callback_data == {"Go": "go"}
    assert sandbox.requests[-1].params["chat_id"] == 1001  # logged after decoding


async def test_query_string_parameters(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    sandbox.user(1001)
    url = f"{sandbox.base_url}{sandbox.token}/sendMessage"
    async with http.get(url, params={"chat_id": "1001", "text": "via GET"}) as resp:
        body = await resp.json()
    assert body["ok"] and body["result"]["text"] == "via GET"


async def test_malformed_token_is_401(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    for token in ("123:short", "abc:" + "x" * 30, "nocolon"):
        status, body = await raw_call(http, sandbox, "getMe", token=token)
        assert (status, body["description"]) == (401, "Unauthorized")
    bad = Bot("42:tooshort", base_url=sandbox.base_url)
    with pytest.raises(InvalidToken):
        await bad.get_me()


async def test_any_well_formed_token_is_its_own_bot(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    token = "777:" + "A" * 35
    status, body = await raw_call(http, sandbox, "getMe", token=token)
    assert status == 200
    assert body["result"]["id"] == 777 and body["result"]["username"] == "sandbox_777_bot"
    sandbox.user(1001)  # a chat with the default bot only
    status, body = await raw_call(
        http, sandbox, "sendMessage", {"chat_id": 1001, "text": "x"}, token=token
    )
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_chat_not_found(sandbox: Sandbox, tg: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await tg.send_message(424242, "hello?")


async def test_edit_with_identical_content_is_not_modified(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    markup = keyboard([("a", "a")])
    sent = await tg.send_message(1001, "<b>same</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified: specified new message"):
        await tg.edit_message_text(
            "<b>same</b>", chat_id=1001, message_id=sent.message_id, parse_mode="HTML",
            reply_markup=markup,
        )  # fmt: skip
    # the same text without bold is a change
    await tg.edit_message_text(
        "same", chat_id=1001, message_id=sent.message_id, reply_markup=markup
    )
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await tg.edit_message_text("x", chat_id=1001, message_id=999)


async def test_reply_keyboard_request_contact_only_in_private_chats(
    sandbox: Sandbox, tg: Bot
) -> None:
    group = sandbox.group(-1001234, "Volunteers")
    markup = ReplyKeyboardMarkup([[{"text": "phone", "request_contact": True}]])  # type: ignore[list-item]
    with pytest.raises(BadRequest, match="only in private chats"):
        await tg.send_message(group.chat_id, "x", reply_markup=markup)


async def test_set_my_commands_rules(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await tg.set_my_commands([BotCommand("Start", "Begin")])
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await tg.set_my_commands([BotCommand("x" * 33, "Begin")])
    with pytest.raises(BadRequest, match="description_invalid"):
        await tg.set_my_commands([BotCommand("start", "d" * 257)])
    with pytest.raises(BadRequest, match="commands_too_much"):
        await tg.set_my_commands([BotCommand(f"c{i}", "d") for i in range(101)])
    await tg.set_my_commands([BotCommand("start", "开始")], language_code="zh")
    await tg.set_my_commands([BotCommand("start", "Begin"), BotCommand("help", "Help")])
    await tg.set_my_commands([BotCommand("mine", "Chat")], scope=BotCommandScopeChat(1001))
    assert [c.description for c in await tg.get_my_commands(language_code="zh")] == ["开始"]
    assert [c.command for c in await tg.get_my_commands()] == ["start", "help"]
    assert sandbox.commands({"type": "chat", "chat_id": 1001}) == [
        {"command": "mine", "description": "Chat"}
    ]
    await tg.delete_my_commands(language_code="zh")
    assert await tg.get_my_commands(language_code="zh") == ()


async def test_generic_length_limit_from_the_spec(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.user(1001)
    markup = {"keyboard": [["a"]], "input_field_placeholder": "p" * 65}
    status, body = await raw_call(
        http, sandbox, "sendMessage", {"chat_id": 1001, "text": "x", "reply_markup": markup}
    )
    assert status == 400
    assert "input_field_placeholder" in body["description"] and "1-64" in body["description"]
