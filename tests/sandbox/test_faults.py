"""Injected faults reach the bot as Telegram's errors, scoped and counted as asked."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from sandbox import Sandbox
from tests.sandbox.conftest import raw_call, seconds

# PTB 22 warns that RetryAfter.retry_after will become a timedelta (unless PTB_TIMEDELTA)
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_429_carries_retry_after(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sandbox.faults.add(kind="429", method="sendMessage", retry_after=3, times=1)
    with pytest.raises(RetryAfter) as caught:
        await tg.send_message(1001, "hi")
    assert seconds(caught.value.retry_after) == 3
    logged = sandbox.calls("sendMessage")[-1]
    assert (logged.status, logged.description) == (429, "Too Many Requests: retry after 3")
    assert (await tg.send_message(1001, "again")).text == "again"  # times=1 is spent
    assert sandbox.faults.rules == []


async def test_429_envelope(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    sandbox.faults.add(kind="429", retry_after=7)
    status, body = await raw_call(http, sandbox, "getMe")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


async def test_403_blocked_400_and_5xx(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sandbox.faults.add(kind="403", method="sendMessage", times=1)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await tg.send_message(1001, "x")
    sandbox.faults.add(kind="400", method="sendMessage", description="chat not found", times=1)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await tg.send_message(1001, "x")
    sandbox.faults.add(kind="5xx", method="sendMessage", status=502, times=1)
    with pytest.raises(NetworkError):
        await tg.send_message(1001, "x")
    sandbox.faults.add(kind="5xx", method="sendMessage", times=1)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await tg.send_message(1001, "x")
    assert [r.status for r in sandbox.calls("sendMessage")] == [403, 400, 502, 500]
    assert not any(r.ok for r in sandbox.calls("sendMessage"))
    assert sandbox.user(1001).messages == []  # nothing was delivered


async def test_times_counts_down(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    rule = sandbox.faults.add(kind="429", method="sendMessage", retry_after=1, times=2)
    for remaining in (1, 0):
        with pytest.raises(RetryAfter):
            await tg.send_message(1001, "x")
        assert rule.times == remaining
    await tg.send_message(1001, "through")
    assert [r.status for r in sandbox.calls("sendMessage")] == [429, 429, 200]


async def test_until_removed(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    rule = sandbox.faults.add(kind="403", method="sendMessage")
    for _ in range(3):
        with pytest.raises(Forbidden):
            await tg.send_message(1001, "x")
    assert sandbox.faults.remove(rule)
    await tg.send_message(1001, "x")


async def test_scoped_per_chat(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sandbox.user(1002)
    sandbox.faults.add(kind="403", chat_id=1002)
    await tg.send_message(1001, "fine")
    with pytest.raises(Forbidden):
        await tg.send_message(1002, "blocked")
    with pytest.raises(Forbidden):
        await tg.send_chat_action(1002, "typing")  # any method to that chat
    await tg.get_me()  # no chat: not matched


async def test_scoped_per_method(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sandbox.faults.add(kind="400", method="editMessageText", description="message can't be edited")
    sent = await tg.send_message(1001, "x")
    with pytest.raises(BadRequest, match="can't be edited"):
        await tg.edit_message_text("y", chat_id=1001, message_id=sent.message_id)


async def test_slow_answers_after_the_delay(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sandbox.faults.add(kind="slow", method="sendMessage", delay_s=0.3, times=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    slow = asyncio.create_task(tg.send_message(1001, "slow"))
    await tg.get_me()  # another request is answered meanwhile
    assert not slow.done()
    sent = await slow
    assert sent.text == "slow"
    assert loop.time() - started >= 0.3  # a lower bound only: never flaky


async def test_faults_through_the_control_api(
    sandbox: Sandbox, http: aiohttp.ClientSession, tg: Bot
) -> None:
    sandbox.user(1001)
    async with http.post(
        f"{sandbox.url}/sandbox/faults",
        json={"kind": "429", "method": "sendMessage", "retry_after": 5, "times": 1},
    ) as resp:
        rule = (await resp.json())["result"]
    assert rule["kind"] == "429" and rule["times"] == 1
    async with http.get(f"{sandbox.url}/sandbox/faults") as resp:
        assert [r["id"] for r in (await resp.json())["result"]] == [rule["id"]]
    with pytest.raises(RetryAfter):
        await tg.send_message(1001, "x")
    async with http.post(f"{sandbox.url}/sandbox/faults", json={"kind": "403"}) as resp:
        forever = (await resp.json())["result"]
    async with http.delete(f"{sandbox.url}/sandbox/faults/{forever['id']}") as resp:
        assert (await resp.json())["result"] is True
    await tg.send_message(1001, "x")
    async with http.post(f"{sandbox.url}/sandbox/faults", json={"kind": "teapot"}) as resp:
        assert resp.status == 400
    async with http.get(f"{sandbox.url}/sandbox/requests?method=sendMessage") as resp:
        log = (await resp.json())["result"]
    assert [(r["status"], r["params"]["text"]) for r in log] == [(429, "x"), (200, "x")]
