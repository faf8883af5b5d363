"""Telegram's flood limits in the sandbox: opt-in, deterministic on the sandbox's frozen clock."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.error import Forbidden, RetryAfter

from sandbox import RateLimits, Sandbox
from sandbox.__main__ import build_parser, rate_limits_from
from sandbox.process import SandboxProcess
from sandbox.rate_limits import RateLimiter, counted_method
from tests.sandbox.conftest import raw_call, seconds

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

ONLY_OVERALL = {"per_chat_per_s": None, "per_group_per_min": None}


def limited(sandbox: Sandbox, **limits: Any) -> None:
    sandbox.freeze_clock()
    sandbox.set_rate_limits(RateLimits(**limits))


async def refused(tg: Bot, chat_id: int, text: str = "x", **kwargs: Any) -> float:
    """Send, expecting a 429; the retry_after in seconds."""
    with pytest.raises(RetryAfter) as caught:
        await tg.send_message(chat_id, text, **kwargs)
    return seconds(caught.value.retry_after)


async def test_off_by_default(sandbox: Sandbox, tg: Bot) -> None:
    assert sandbox.rate_limits is None
    sandbox.user(1001)
    sandbox.freeze_clock()
    for i in range(40):  # past every Telegram limit, within one frozen second, to one chat
        await tg.send_message(1001, f"m{i}")
    assert sandbox.rate_limited_count == 0
    assert all(r.status == 200 for r in sandbox.calls("sendMessage"))


async def test_overall_limit(sandbox: Sandbox, tg: Bot, http: aiohttp.ClientSession) -> None:
    limited(sandbox, overall_per_s=5, **ONLY_OVERALL)
    for chat_id in range(1001, 1008):
        sandbox.user(chat_id)
    for chat_id in range(1001, 1006):
        await tg.send_message(chat_id, "fits")
    assert await refused(tg, 1006) == 1  # the 6th within the second
    status, body = await raw_call(http, sandbox, "sendMessage", {"chat_id": 1007, "text": "y"})
    assert (status, body) == (
        429,
        {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
         "parameters": {"retry_after": 1}},
    )  # fmt: skip
    assert sandbox.rate_limited_count == 2
    assert sandbox.user(1006).messages == []  # a refused message is not delivered
    assert sandbox.calls("sendMessage")[-1].status == 429
    sandbox.advance_clock(0.2)  # one slot back (5/s)
    await tg.send_message(1006, "now")
    assert await refused(tg, 1007) == 1
    sandbox.advance_clock(1.0)
    for chat_id in range(1001, 1006):
        await tg.send_message(chat_id, "next second")
    await tg.get_me()  # not a message: never limited
    await tg.send_chat_action(1001, "typing")  # nor is a chat action
    assert sandbox.rate_limited_count == 3


async def test_retry_after_is_the_wait_for_a_free_slot(sandbox: Sandbox, tg: Bot) -> None:
    limited(sandbox, overall_per_s=None, per_chat_per_s=None, per_group_per_min=20)
    group = sandbox.group(-1001000000001)
    for i in range(20):
        await tg.send_message(group.chat_id, f"g{i}")
    assert await refused(tg, group.chat_id) == 3  # 20/min: a slot every 3 s
    sandbox.advance_clock(2.5)
    assert await refused(tg, group.chat_id) == 1  # 0.5 s to go, rounded up to 1
    sandbox.advance_clock(0.5)
    await tg.send_message(group.chat_id, "g20")
    assert await refused(tg, group.chat_id) == 3


async def test_per_private_chat_limit(sandbox: Sandbox, tg: Bot) -> None:
    limited(sandbox, overall_per_s=None, per_chat_per_s=1, per_chat_burst=2)
    sandbox.user(1001)
    sandbox.user(1002)
    await tg.send_message(1001, "a1")
    await tg.send_message(1001, "a2")  # the burst
    assert await refused(tg, 1001) == 1
    await tg.send_message(1002, "b1")  # another chat is not held back
    await tg.send_message(1002, "b2")
    sandbox.advance_clock(1)
    await tg.send_message(1001, "a3")
    assert await refused(tg, 1001) == 1
    assert [m.text for m in sandbox.user(1001).messages] == ["a1", "a2", "a3"]


async def test_per_group_limit_is_per_group(sandbox: Sandbox, tg: Bot) -> None:
    limited(sandbox, overall_per_s=None, per_chat_per_s=1, per_chat_burst=1)
    first = sandbox.group(-1001000000001)
    second = sandbox.group(-1001000000002)
    sandbox.user(1001)
    for i in range(20):
        await tg.send_message(first.chat_id, f"{i}")  # 20 at once: the group limit, not 1/s
    assert await refused(tg, first.chat_id) == 3
    await tg.send_message(second.chat_id, "other group")
    await tg.send_message(1001, "private chat")
    assert len(first.messages) == 20


async def test_paid_broadcast_has_its_own_limit(sandbox: Sandbox, tg: Bot) -> None:
    limited(sandbox, overall_per_s=2, paid_per_s=3, **ONLY_OVERALL)
    for chat_id in range(1001, 1011):
        sandbox.user(chat_id)
    await tg.send_message(1001, "free")
    await tg.send_message(1002, "free")
    assert await refused(tg, 1003) == 1
    for chat_id in (1004, 1005, 1006):  # the overall limit is spent; paid sends still go
        await tg.send_message(chat_id, "paid", allow_paid_broadcast=True)
    assert await refused(tg, 1007, allow_paid_broadcast=True) == 1
    sandbox.advance_clock(1)
    await tg.send_message(1008, "free again")
    await tg.send_message(1009, "paid again", allow_paid_broadcast=True)


async def test_edits_copies_and_forwards_count(sandbox: Sandbox, tg: Bot) -> None:
    limited(sandbox, overall_per_s=4, **ONLY_OVERALL)
    sandbox.user(1001)
    sandbox.user(1002)
    sent = await tg.send_message(1001, "v1")
    await tg.edit_message_text("v2", chat_id=1001, message_id=sent.message_id)
    await tg.copy_message(1002, from_chat_id=1001, message_id=sent.message_id)
    await tg.forward_message(1002, from_chat_id=1001, message_id=sent.message_id)
    with pytest.raises(RetryAfter):
        await tg.edit_message_text("v3", chat_id=1001, message_id=sent.message_id)
    assert {r.method for r in sandbox.calls() if r.status == 429} == {"editMessageText"}
    assert counted_method("sendPhoto") and counted_method("editMessageReplyMarkup")
    assert not counted_method("sendChatAction") and not counted_method("answerCallbackQuery")


async def test_failed_sends_take_no_capacity(sandbox: Sandbox, tg: Bot) -> None:
    limited(sandbox, overall_per_s=1, **ONLY_OVERALL)
    sandbox.user(1001).block()
    sandbox.user(1002)
    for _ in range(3):
        with pytest.raises(Forbidden):
            await tg.send_message(1001, "blocked")
    await tg.send_message(1002, "the one slot is still there")
    assert await refused(tg, 1002) == 1


async def test_limits_change_at_run_time(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.freeze_clock()
    sandbox.user(1001)
    sandbox.set_rate_limits(overall_per_s=1, per_chat_per_s=None)  # Telegram's, adjusted
    limits = sandbox.rate_limits
    assert limits is not None and (limits.overall_per_s, limits.per_group_per_min) == (1, 20)
    await tg.send_message(1001, "one")
    assert await refused(tg, 1001) == 1
    sandbox.set_rate_limits(None)
    await tg.send_message(1001, "unlimited")


async def test_delivered_counts_report_duplicates(
    sandbox: Sandbox, tg: Bot, http: aiohttp.ClientSession
) -> None:
    sandbox.user(1001)
    sandbox.user(1002)
    for text in ("a", "b", "a"):
        await tg.send_message(1001, text)
    sent = await tg.send_message(1002, "<b>c</b>", parse_mode="HTML")
    await tg.edit_message_text("c2", chat_id=1002, message_id=sent.message_id)
    limited(sandbox, overall_per_s=1, **ONLY_OVERALL)
    await tg.send_message(1002, "d")
    await refused(tg, 1002, "refused")  # not delivered, not counted
    assert sandbox.delivered("sendMessage") == {1001: {"a": 2, "b": 1}, 1002: {"c": 1, "d": 1}}
    async with http.get(f"{sandbox.url}/sandbox/delivered?method=sendMessage") as resp:
        summary = (await resp.json())["result"]
    assert summary == {
        "method": "sendMessage",
        "total": 5,
        "distinct": 4,
        "chat_count": 2,
        "duplicates": {"1001": {"a": 2}},
        "chats": {"1001": {"a": 2, "b": 1}, "1002": {"c": 1, "d": 1}},
    }
    async with http.get(f"{sandbox.url}/sandbox/delivered?texts=0") as resp:
        every_method = (await resp.json())["result"]
    assert (every_method["total"], every_method["duplicates"]) == (6, {"1001": {"a": 2}})
    assert "chats" not in every_method
    assert sandbox.delivered("editMessageText") == {1002: {"c2": 1}}
    async with http.delete(f"{sandbox.url}/sandbox/delivered") as resp:
        assert resp.status == 200
    assert sandbox.delivered(None) == {}


async def test_delivered_counts_many_messages(sandbox: Sandbox) -> None:
    """12,000 deliveries with some duplicates: found cheaply, the right ones."""
    deliveries = sandbox.api.deliveries
    bot_id = sandbox.bot_state().bot_id
    for i in range(12_000):
        deliveries.add(bot_id, "sendMessage", 2000 + i % 300, f"m{i}")
    for i in (5, 77, 11_999):
        deliveries.add(bot_id, "sendMessage", 2000 + i % 300, f"m{i}")
    summary = deliveries.summary(bot_id, "sendMessage", texts=False)
    assert (summary["total"], summary["distinct"]) == (12_003, 12_000)
    assert summary["duplicates"] == {str(2000 + i % 300): {f"m{i}": 2} for i in (5, 77, 11_999)}


async def test_control_api(sandbox: Sandbox, tg: Bot, http: aiohttp.ClientSession) -> None:
    base = f"{sandbox.url}/sandbox"
    sandbox.user(1001)
    sandbox.user(1002)
    async with http.post(f"{base}/clock", json={"freeze": True}) as resp:
        assert (await resp.json())["result"]["frozen"] is True
    async with http.post(
        f"{base}/rate_limits", json={"overall_per_s": 1, "per_chat_per_s": None}
    ) as resp:
        state = (await resp.json())["result"]
    assert state["limits"]["overall_per_s"] == 1 and state["limits"]["per_chat_per_s"] is None
    await tg.send_message(1001, "one")
    await refused(tg, 1002)
    async with http.get(f"{base}/rate_limits") as resp:
        assert (await resp.json())["result"]["rate_limited_count"] == 1
    async with http.get(base) as resp:
        info = (await resp.json())["result"]
    assert info["rate_limited_count"] == 1 and info["rate_limits"]["overall_per_s"] == 1
    async with http.post(f"{base}/clock", json={"advance": 1}) as resp:
        assert resp.status == 200
    await tg.send_message(1002, "after a second")
    async with http.post(f"{base}/rate_limits", json={"bogus": 1}) as resp:
        assert resp.status == 400
    async with http.delete(f"{base}/rate_limits") as resp:
        assert (await resp.json())["result"]["limits"] is None
    await tg.send_message(1002, "unlimited")
    await tg.send_message(1002, "unlimited")


async def test_request_log_limit(sandbox: Sandbox, tg: Bot, http: aiohttp.ClientSession) -> None:
    sandbox.set_log_limit(3)
    for _ in range(10):
        await tg.get_me()
    assert 3 <= len(sandbox.requests) < 6  # the last 3 at least, trimmed in chunks
    dropped = sandbox.requests.dropped
    assert dropped + len(sandbox.requests) == 10 + 1  # + the getMe of tg's initialize
    async with http.get(f"{sandbox.url}/sandbox/requests?since={dropped + 1}") as resp:
        log = (await resp.json())["result"]
    assert [r["index"] for r in log] == list(range(dropped + 1, 11))
    sandbox.set_log_limit(0)
    await tg.get_me()
    assert len(sandbox.requests) == 0


def test_rate_limits_values() -> None:
    assert RateLimits(overall_per_s=0).overall_per_s is None  # 0 lifts a limit
    with pytest.raises(ValueError):
        RateLimits(per_chat_burst=0)
    with pytest.raises(ValueError, match="unknown"):
        RateLimits().updated(per_second=3)
    limiter = RateLimiter(RateLimits(overall_per_s=0.5, per_chat_per_s=None))
    assert limiter.take(1, None, False, now=100.0) is None
    assert limiter.take(1, None, False, now=100.0) == 2  # one message every 2 s


def test_command_line() -> None:
    parse = build_parser().parse_args
    assert rate_limits_from(parse([])) is None
    assert rate_limits_from(parse(["--chat-burst", "5"])) is None  # a burst alone limits nothing
    assert rate_limits_from(parse(["--rate", "1000"])) == RateLimits(overall_per_s=1000)
    assert rate_limits_from(
        parse(["--rate", "25", "--chat-rate", "0", "--group-rate", "30", "--paid-rate", "500"])
    ) == RateLimits(overall_per_s=25, per_chat_per_s=None, per_group_per_min=30, paid_per_s=500)
    assert parse(["--log-limit", "0"]).log_limit == 0


async def test_runner_in_its_own_process() -> None:
    """``python -m sandbox --port 0 --rate 2`` announces its URL and enforces the rate."""
    sb = SandboxProcess("--rate", "2", "--chat-rate", "0", "--log-limit", "0")
    await asyncio.to_thread(sb.start)
    try:
        assert sb.url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{sb.url}/sandbox") as resp:
                info = (await resp.json())["result"]
            assert info["rate_limits"]["overall_per_s"] == 2
            async with http.post(f"{sb.url}/sandbox/users", json={"user_id": 1001}) as resp:
                assert resp.status == 200
            async with Bot(sb.token, base_url=sb.base_url) as tg:
                statuses = []
                for i in range(10):
                    try:
                        await tg.send_message(1001, f"m{i}")
                        statuses.append(200)
                    except RetryAfter:
                        statuses.append(429)
            # the first two fit (real time moves on a little), not all ten: 2/s, not 10
            assert statuses[:2] == [200, 200] and 429 in statuses
            async with http.get(f"{sb.url}/sandbox/delivered?method=sendMessage") as resp:
                delivered = (await resp.json())["result"]
            assert delivered["total"] == statuses.count(200) and delivered["duplicates"] == {}
    finally:
        await asyncio.to_thread(sb.stop)


async def test_open_chats_lets_any_user_id_receive() -> None:
    from telegram import Bot
    from telegram.error import BadRequest

    from sandbox import Sandbox

    for open_chats in (False, True):
        sb = Sandbox(open_chats=open_chats)
        await sb.start(port=0)
        try:
            async with Bot(sb.token, base_url=sb.base_url) as bot:
                if open_chats:
                    await bot.send_message(987654, "hi")
                    assert sb.delivered()[987654] == {"hi": 1}
                else:
                    with pytest.raises(BadRequest, match="not found"):
                        await bot.send_message(987654, "hi")
        finally:
            await sb.stop()
