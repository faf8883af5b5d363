"""The control HTTP API under /sandbox/: users act, chats are read, events long-polled."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from sandbox import Sandbox

pytestmark = pytest.mark.usefixtures("echo_bot")


async def post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> Any:
    async with http.post(url, json=body) as resp:
        payload = await resp.json()
        assert resp.status == 200, payload
        return payload["result"]


async def get(http: aiohttp.ClientSession, url: str) -> Any:
    async with http.get(url) as resp:
        payload = await resp.json()
        assert resp.status == 200, payload
        return payload["result"]


async def test_users_act_and_chats_are_read(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    base = f"{sandbox.url}/sandbox"
    created = await post(http, f"{base}/users", {"user_id": 1001, "first_name": "王芳"})
    assert created["user"]["first_name"] == "王芳" and created["chat_id"] == 1001
    acted = await post(http, f"{base}/users/1001/command", {"command": "start"})
    assert acted["result"]["text"] == "/start"
    events = await get(http, f"{base}/chats/1001/events?since={acted['seq']}&wait=10")
    (welcome,) = [e for e in events["events"] if e["kind"] == "sent"]
    assert welcome["message"]["buttons"][0] == ["Yes", "No"]
    pressed = await post(http, f"{base}/users/1001/press", {"label": "No"})
    assert pressed["result"] == {
        "text": "got no", "show_alert": True, "url": None, "cache_time": None,
    }  # fmt: skip
    await sandbox.wait_until(lambda: any(e.kind == "edited" for e in sandbox.chat_log(1001)))
    chat = await get(http, f"{base}/chats/1001/messages")
    assert [m["text"] for m in chat["messages"]] == ["You chose no"]
    everything = await get(http, f"{base}/chats/1001/messages?all=1")
    assert [m["from_bot"] for m in everything["messages"]] == [False, True]
    contact = await post(http, f"{base}/users/1001/contact", {"phone_number": "+8613800138000"})
    assert contact["result"]["contact"]["user_id"] == 1001


async def test_event_long_poll_returns_when_something_happens(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    user = sandbox.user(1001)
    since = sandbox.world.last_seq
    waiting = asyncio.create_task(
        get(http, f"{sandbox.url}/sandbox/chats/1001/events?since={since}&wait=30")
    )
    await sandbox.wait_until(lambda: sandbox.world.watchers == 1)  # it is waiting
    assert not waiting.done()
    await user.send("ping")
    result = await asyncio.wait_for(waiting, timeout=10)  # long before the 30 s
    assert result["events"][0]["kind"] == "user_message"
    assert result["events"][0]["message"]["text"] == "ping"
    assert result["last_seq"] == result["events"][-1]["seq"]


async def test_control_errors(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{sandbox.url}/sandbox/users/1001/tap", json={"label": "x"}) as resp:
        body = await resp.json()
    assert resp.status == 400 and "no reply keyboard" in body["description"]
    async with http.get(f"{sandbox.url}/sandbox/chats/5/messages") as resp:
        assert resp.status == 404
    async with http.post(f"{sandbox.url}/sandbox/users/1001/dance", json={}) as resp:
        assert resp.status == 404
    info = await get(http, f"{sandbox.url}/sandbox")
    assert info["base_url"] == sandbox.base_url and "api.json" in info["spec"]
