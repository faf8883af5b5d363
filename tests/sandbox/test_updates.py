"""getUpdates (offset, long polling, allowed_updates) and webhooks (delivery, secret, 409)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import Conflict

from sandbox import Sandbox
from tests.sandbox.conftest import raw_call


def texts(updates: tuple[Update, ...] | list[Update]) -> list[str | None]:
    return [u.message.text if u.message else None for u in updates]


ONE_BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])


async def test_offset_acknowledges_everything_below(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    for text in ("one", "two", "three"):
        await user.send(text)
    updates = await tg.get_updates()
    assert texts(updates) == ["one", "two", "three"]
    ids = [u.update_id for u in updates]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert texts(await tg.get_updates(offset=ids[1])) == ["two", "three"]
    assert texts(await tg.get_updates()) == ["two", "three"]  # remembered
    assert await tg.get_updates(offset=ids[2] + 1) == ()
    await user.send("four")
    fresh = await tg.get_updates()
    assert texts(fresh) == ["four"] and fresh[0].update_id == ids[2] + 1


async def test_limit_and_negative_offset(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    for i in range(5):
        await user.send(f"m{i}")
    assert texts(await tg.get_updates(limit=2)) == ["m0", "m1"]
    assert texts(await tg.get_updates(offset=-2)) == ["m3", "m4"]
    assert texts(await tg.get_updates()) == ["m3", "m4"]  # the rest forgotten


async def test_long_poll_answers_as_soon_as_an_update_arrives(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    poll = asyncio.create_task(tg.get_updates(timeout=30, read_timeout=40))
    await sandbox.wait_until(lambda: bool(sandbox.calls("getUpdates")))
    assert not poll.done()
    await user.send("wake up")
    updates = await asyncio.wait_for(poll, timeout=10)  # far less than the 30 s poll
    assert texts(updates) == ["wake up"]


async def test_a_second_poller_ends_the_first_with_409(
    sandbox: Sandbox, tg: Bot, http: aiohttp.ClientSession
) -> None:
    first = asyncio.create_task(tg.get_updates(timeout=30, read_timeout=40))
    await sandbox.wait_until(lambda: bool(sandbox.calls("getUpdates")))
    status, body = await raw_call(http, sandbox, "getUpdates", {"timeout": 0})
    assert status == 200 and body["result"] == []
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, timeout=10)


async def test_allowed_updates_is_remembered(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    sent = await tg.send_message(1001, "choose", reply_markup=ONE_BUTTON)
    assert await tg.get_updates(allowed_updates=["callback_query"]) == ()
    await user.send("ignored: only callback queries are wanted")
    user.send_callback(sent.message_id, "a")
    updates = await tg.get_updates()  # no allowed_updates: the previous setting stays
    assert [u.callback_query.data if u.callback_query else None for u in updates] == ["a"]
    assert updates[0].message is None
    await tg.get_updates(offset=updates[0].update_id + 1, allowed_updates=[])  # back to default
    await user.send("seen")
    assert texts(await tg.get_updates()) == ["seen"]


async def test_callback_query_update_is_complete(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001, first_name="王芳")
    sent = await tg.send_message(1001, "pick", reply_markup=ONE_BUTTON)
    user.send_callback(sent.message_id, "a")
    (update,) = await tg.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "a" and query.from_user.first_name == "王芳"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert isinstance(query.message, Message) and query.message.reply_markup is not None
    assert query.chat_instance
    assert await tg.answer_callback_query(query.id, text="ok")


# webhooks --------------------------------------------------------------------------------
class Receiver:
    """A tiny webhook endpoint: answers the statuses it is told to, records what it got."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.statuses: list[int] = []
        self.got = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        status = self.statuses.pop(0) if self.statuses else 200
        self.received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        self.got.set()
        return web.Response(status=status)

    async def wait(self, count: int) -> None:
        while len(self.received) < count:
            self.got.clear()
            await asyncio.wait_for(self.got.wait(), timeout=10)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield rec
    await runner.cleanup()


async def test_webhook_delivers_with_the_secret_and_getupdates_conflicts(
    sandbox: Sandbox, tg: Bot, receiver: Receiver
) -> None:
    user = sandbox.user(1001)
    assert await tg.set_webhook(receiver.url, secret_token="s3cr3t_-")
    info = await tg.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0
    await user.send("hello hook")
    await receiver.wait(1)
    update, secret = receiver.received[0]
    assert secret == "s3cr3t_-"
    assert Update.de_json(update, tg).message.text == "hello hook"  # type: ignore[union-attr]
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await tg.get_updates()
    assert await tg.delete_webhook()
    await user.send("polled again")
    assert texts(await tg.get_updates()) == ["polled again"]


async def test_webhook_retries_until_2xx(sandbox: Sandbox, tg: Bot, receiver: Receiver) -> None:
    sandbox.webhooks.retry_delay_s = 0.01
    user = sandbox.user(1001)
    receiver.statuses = [500, 502]
    await tg.set_webhook(receiver.url)
    await user.send("persist")
    await user.send("in order")
    await receiver.wait(4)
    texts = [u["message"]["text"] for u, _ in receiver.received]
    assert texts == ["persist", "persist", "persist", "in order"]
    assert receiver.received[0][1] is None  # no secret was set
    info = await tg.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
    assert [a.status for a in sandbox.webhooks.attempts] == [500, 502, 200, 200]


async def test_webhook_drop_pending_updates(sandbox: Sandbox, tg: Bot, receiver: Receiver) -> None:
    user = sandbox.user(1001)
    await user.send("old")
    assert (await tg.get_webhook_info()).pending_update_count == 1
    await tg.set_webhook(receiver.url, drop_pending_updates=True)
    await user.send("new")
    await receiver.wait(1)
    assert [u["message"]["text"] for u, _ in receiver.received] == ["new"]


async def test_webhook_secret_rules(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    status, body = await raw_call(
        http, sandbox, "setWebhook", {"url": "https://example.org/h", "secret_token": "bad token!"}
    )
    assert (status, body["description"]) == (
        400, "Bad Request: secret token contains unallowed characters"
    )  # fmt: skip
