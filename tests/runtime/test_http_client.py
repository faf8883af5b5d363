"""bot.runtime.http_client.ReqwestRequest against the sandbox: what PTB sends arrives as it should,
long polls work, and timeouts, connection failures and Telegram's errors map as in PTB."""

from __future__ import annotations

import asyncio
import os
import socket
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import RequestData

from bot.runtime.http_client import ReqwestRequest, deadline
from sandbox import Sandbox
from tests.runtime.conftest import http_bot, seconds

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_get_me(sandbox: Sandbox, tg: Bot) -> None:
    me = await tg.get_me()
    assert me.is_bot and me.username == sandbox.bot_state().me["username"]
    assert sandbox.calls("getMe")[-1].http_method == "POST"


async def test_send_message_html_with_inline_keyboard(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001, first_name="王芳")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("接受 ✅", callback_data="accept:42"),
          InlineKeyboardButton("Site", url="https://example.org/a?b=c&d=e")]]
    )  # fmt: skip
    sent = await tg.send_message(
        1001, "<b>新任务</b> &amp; <i>明天 9:00</i>", parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )  # fmt: skip
    assert sent.text == "新任务 & 明天 9:00"
    assert [e.type for e in sent.entities] == ["bold", "italic"]
    message = user.last
    assert message is not None
    assert message.html == "<b>新任务</b> &amp; <i>明天 9:00</i>"
    assert message.buttons == [["接受 ✅", "Site"]]
    assert message.callback_data == {"接受 ✅": "accept:42"}
    logged = sandbox.calls("sendMessage")[-1]
    assert logged.params["chat_id"] == 1001 and logged.params["parse_mode"] == "HTML"


async def test_send_document_upload_arrives_intact(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    data = bytes(range(256)) * 400 + os.urandom(4096)  # every byte value, CR/LF, NULs
    sent = await tg.send_document(
        1001,
        document=data,
        filename='报告 "v2".bin',
        caption="<b>附件</b>",
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]]),
    )
    assert sent.document is not None and sent.caption == "附件"
    stored = sandbox.world.files[sent.document.file_id]
    assert stored.data == data
    assert stored.file_name == '报告 "v2".bin'
    assert stored.mime_type == "application/octet-stream"
    assert sandbox.calls("sendDocument")[-1].params["document"] == {
        "input_file": "报告 \"v2\".bin", "size": len(data),
    }  # fmt: skip
    # and back through the file URL (a GET through the same client)
    file = await tg.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == data


async def test_get_updates_long_poll_returns_when_an_update_arrives(
    sandbox: Sandbox, tg: Bot
) -> None:
    user = sandbox.user(1001)
    polling = asyncio.create_task(tg.get_updates(timeout=30))
    await sandbox.wait_until(lambda: bool(sandbox.calls("getUpdates")))  # it is waiting
    await asyncio.sleep(0)
    assert not polling.done()
    await user.send("hello")
    updates = await asyncio.wait_for(polling, timeout=10)  # long before the 30 s
    assert [u.message.text for u in updates if u.message] == ["hello"]
    assert sandbox.calls("getUpdates")[-1].params["timeout"] == 30


SHORT = {"read_timeout": 0.2, "write_timeout": 0.1, "connect_timeout": 0.1, "pool_timeout": 0.1}


async def test_slow_answer_past_the_call_s_deadline_is_timed_out(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sandbox.faults.add(kind="slow", method="sendMessage", delay_s=60, times=1)
    with pytest.raises(TimedOut):
        await tg.send_message(1001, "slow", **SHORT)  # 0.5 s in all
    assert (await tg.send_message(1001, "fast")).text == "fast"  # the client still works


async def test_instance_timeouts_are_the_default(sandbox: Sandbox) -> None:
    sandbox.user(1001)
    sandbox.faults.add(kind="slow", method="sendMessage", delay_s=60, times=1)
    async with http_bot(sandbox, **SHORT) as bot:
        assert bot.request.read_timeout == 0.2
        with pytest.raises(TimedOut):
            await bot.send_message(1001, "slow")


async def test_full_pool_is_timed_out(sandbox: Sandbox) -> None:
    sandbox.user(1001)
    sandbox.faults.add(kind="slow", method="sendMessage", delay_s=60, times=1)
    async with http_bot(
        sandbox, connection_pool_size=1, pool_timeout=0.1, connect_timeout=0.1
    ) as bot:
        holding = asyncio.create_task(bot.send_message(1001, "slow", read_timeout=60))
        await sandbox.wait_until(lambda: bool(sandbox.calls("sendMessage")))
        with pytest.raises(TimedOut, match="Pool timeout"):
            await bot.get_me()
        holding.cancel()
        with pytest.raises(asyncio.CancelledError):
            await holding


async def test_closed_port_is_a_network_error() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    bot = Bot(
        "5550001:SANDBOX-default-token-000000",
        base_url=f"{url}/bot",
        request=ReqwestRequest(connect_timeout=5),
        get_updates_request=ReqwestRequest(connection_pool_size=1),
    )
    with pytest.raises(NetworkError, match=r"pyreqwest\.ConnectError") as caught:
        await bot.initialize()  # getMe
    assert not isinstance(caught.value, TimedOut)
    await bot.shutdown()


async def test_429_is_retry_after(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sandbox.faults.add(kind="429", method="sendMessage", retry_after=7, times=1)
    with pytest.raises(RetryAfter) as caught:
        await tg.send_message(1001, "x")
    assert seconds(caught.value.retry_after) == 7


async def test_403_is_forbidden_and_400_bad_request(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001).block()
    sandbox.user(1002)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await tg.send_message(1001, "x")
    with pytest.raises(BadRequest, match="Chat not found"):
        await tg.send_message(424242, "x")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await tg.send_message(1002, "<b>unclosed", parse_mode=ParseMode.HTML)
    sandbox.faults.add(kind="5xx", method="getMe", status=502, times=1)
    with pytest.raises(NetworkError) as caught:
        await tg.get_me()
    assert type(caught.value) is NetworkError and sandbox.calls("getMe")[-1].status == 502


async def test_lifecycle() -> None:
    request = ReqwestRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/", "POST")
    with pytest.raises(NetworkError, match="not initialized"):  # as BaseRequest wraps it
        await request.post("http://127.0.0.1:1/", RequestData())
    await request.initialize()
    await request.initialize()  # no second session
    await request.shutdown()
    await request.shutdown()  # harmless
    await request.initialize()  # usable again
    await request.shutdown()


def test_a_call_s_deadline_is_the_sum_of_its_timeouts() -> None:
    assert deadline(1.0, 2.0, 3.0, 4.0) == 10.0
    assert deadline(35.0, 5.0, 5.0, 1.0) == 46.0  # a long poll: PTB adds its 30 s
    assert deadline(None, 2.0, 3.0, 4.0) is None  # waits forever
    with pytest.raises(ValueError):
        ReqwestRequest(connection_pool_size=0)


async def test_application_round_trip(sandbox: Sandbox) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(f"echo: {update.message.text}")

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(sandbox.token)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .request(ReqwestRequest(connection_pool_size=8))
        .get_updates_request(ReqwestRequest(connection_pool_size=1))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    user = sandbox.user(1001, first_name="Li")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=10)
        try:
            await user.send("你好 & <hi>")
            assert (await user.next_reply()).text == "echo: 你好 & <hi>"
            await user.send("again")
            assert (await user.next_reply()).text == "echo: again"
        finally:
            await app.updater.stop()
            await app.stop()


async def test_a_cancelled_call_frees_its_slot_at_once(sandbox: Sandbox) -> None:
    """PTB cancels its long poll when it stops, then sends one more getUpdates (to mark
    what it fetched as read) through the same one-slot client: that call must not wait
    for the cancelled one (pyreqwest lets it run on in the background)."""
    async with http_bot(sandbox, connection_pool_size=1) as bot:
        polling = asyncio.create_task(bot.get_updates(timeout=30))
        await sandbox.wait_until(lambda: bool(sandbox.calls("getUpdates")))
        polling.cancel()
        with pytest.raises(asyncio.CancelledError):
            await polling
        # within the pool timeout (1 s): the slot is free although the poll still runs
        assert await bot.get_updates(timeout=0, pool_timeout=1) == ()
