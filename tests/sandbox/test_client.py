"""The synchronous SandboxClient drives users of a sandbox running in another thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from sandbox import Sandbox
from sandbox.client import SandboxClient, SandboxError
from tests.sandbox.echo_bot import build_echo_app, start_polling, stop_polling
from tests.support.sandbox import SPEC_PATH


class Background:
    """A sandbox and the echo bot, in their own thread and event loop."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.url = ""
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop: asyncio.Event | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self.run, name="sandbox", daemon=True)

    def run(self) -> None:
        try:
            asyncio.run(self.main())
        except BaseException as exc:  # reported to the test
            self.error = exc
            self.ready.set()

    async def main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stop = asyncio.Event()
        sb = Sandbox(SPEC_PATH)
        await sb.start()
        app = build_echo_app(sb.base_url, sb.base_file_url, sb.token)
        await start_polling(app)
        self.url = sb.url
        self.ready.set()
        try:
            await self.stop.wait()
        finally:
            await stop_polling(app)
            await sb.stop()


@pytest.fixture
def background() -> Iterator[Background]:
    bg = Background()
    bg.thread.start()
    assert bg.ready.wait(20), "the sandbox thread did not start"
    assert bg.error is None, bg.error
    yield bg
    assert bg.loop is not None and bg.stop is not None
    bg.loop.call_soon_threadsafe(bg.stop.set)
    bg.thread.join(20)
    assert not bg.thread.is_alive()


def test_client_drives_a_user(background: Background) -> None:
    c = SandboxClient(background.url)
    assert c.info()["token"].startswith("5550001:")
    u = c.user(1001, first_name="王芳")
    sent = u.send("/start")
    assert sent["entities"][0]["type"] == "bot_command"
    welcome = u.wait_for("Welcome")
    assert welcome["text"] == "Welcome 王芳!" and welcome["buttons"][0] == ["Yes", "No"]
    answer = u.press("Yes")
    assert answer == {"text": "got yes", "show_alert": False, "url": None, "cache_time": None}
    assert u.wait_for("You chose")["edited"] is True
    assert [m["text"] for m in u.messages()] == ["You chose yes"]
    assert u.press_data(welcome["message_id"], "forged")["text"] == "got forged"
    u.command("/keyboard")
    u.wait_for("Use the keyboard")
    assert u.reply_keyboard() == [["📱 Phone", "📍 Where"], ["👥 Pick", "plain"]]
    u.tap("📱 Phone")
    assert u.next_reply()["text"].startswith("phone +86138")
    u.share_location(30.55, 114.27)
    assert u.next_reply()["text"] == "at 30.55,114.27"
    assert [x["user"]["id"] for x in c.users()] == [1001]


def test_client_faults_requests_and_errors(background: Background) -> None:
    c = SandboxClient(background.url)
    u = c.user(1002)
    rule = c.add_fault("403", method="sendMessage", chat_id=1002, times=1)
    assert c.faults()[0]["id"] == rule["id"]
    u.send("hello")
    u.send("again")
    assert u.wait_for("echo: again")["text"] == "echo: again"
    sends = c.requests(method="sendMessage")
    assert [(r["status"], r["chat_id"]) for r in sends] == [(403, 1002), (200, 1002)]
    assert c.faults() == []
    with pytest.raises(SandboxError) as caught:
        u.press("Nowhere")
    assert caught.value.status == 400 and "Nowhere" in caught.value.description
    u.send("/start")
    u.wait_for("Welcome")
    with pytest.raises(SandboxError, match="did not answer") as caught:
        u.press("Silent", timeout=0.3)
    assert caught.value.status == 504
    with pytest.raises(AssertionError, match="no matching bot message"):
        u.wait_for("never said", timeout=0.3)


def test_client_rate_limits_clock_and_deliveries(background: Background) -> None:
    c = SandboxClient(background.url)
    assert c.rate_limits() == {"limits": None, "rate_limited_count": 0}
    state = c.set_rate_limits(overall_per_s=100, per_chat_per_s=None)
    assert state["limits"]["overall_per_s"] == 100 and state["limits"]["per_chat_per_s"] is None
    c.freeze_clock()
    u = c.user(1003)
    for text in ("hi", "hi", "bye"):
        u.send(text)
        u.wait_for(f"echo: {text}")
    delivered = c.delivered()
    assert delivered["chats"] == {"1003": {"echo: hi": 2, "echo: bye": 1}}
    assert delivered["duplicates"] == {"1003": {"echo: hi": 2}}
    assert "chats" not in c.delivered(texts=False)
    c.freeze_clock(False)
    c.clear_rate_limits()
    assert c.rate_limits()["limits"] is None
