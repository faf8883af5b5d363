"""A broadcast across crashes, on SQLite (a file) and PostgreSQL: a real ``volunteer-bot
outbox send`` worker is SIGKILLed while it writes the broadcast's recipients (the
fan-out, mid-way) and again while it sends the copies, and restarted each time. The
broadcast completes: everybody gets it, nobody twice beyond the in-flight bound (the
worker's concurrency per kill); and the coordinator's progress message carries on
after the restarts (the worker's own progress rounds) until its last edit is the final
report."""

from __future__ import annotations

import asyncio
import html
import re
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from telegram import Bot

from bot.app import build_services
from bot.config import load_config
from bot.container import Services
from bot.i18n import get_translator
from bot.messages.broadcasts import progress_text
from bot.services.broadcasts.drafts import BroadcastDraft
from bot.services.broadcasts.views import Figures
from sandbox.client import SandboxClient
from sandbox.process import SandboxProcess
from storage.database import Database
from storage.models import Broadcast, OutboxMessage
from tests.delivery.test_crash import delivered_total, sandbox_process, start_sender
from tests.support.chat import prompt
from tests.support.people import add_approved_volunteers
from tests.support.services import COMMUNITY, STREET, coordinator, load_org

__all__ = ["sandbox_process"]  # the fixture, shared with test_crash

VOLUNTEERS = list(range(400_000, 401_500))
COORDINATOR_ID = 9701
CONCURRENCY = 16
RATE_PER_S = 250  # the copies take seconds: a kill lands mid-send
SLOW_PAGE = 10  # first the fan-out in 150 short transactions: a kill lands mid-way;
FAST_PAGE = 1000  # after the restart the rest at once: the next kill lands mid-send
PROGRESS_EVERY_S = 3  # the least [broadcasts] progress_every_s allows
WORDS = "<b>重阳节</b>召集"
SEEN = "重阳节召集"
TIMEOUT_S = 60


def worker_config(tmp_path: Path, sb: SandboxProcess, fanout_page: int) -> Path:
    path = tmp_path / f"worker-{fanout_page}.toml"
    path.write_text(
        "[telegram]\n"
        f'base_url = "{sb.base_url}"\n'
        f'base_file_url = "{sb.base_file_url}"\n'
        '[general]\nlog_level = "WARNING"\n'
        "[delivery]\n"
        f"rate_per_s = {RATE_PER_S}\nper_chat_per_s = 30\n"
        f"concurrency = {CONCURRENCY}\nlease_seconds = 3\npoll_seconds = 0.05\n"
        f"fanout_page = {fanout_page}\n"
        f"[broadcasts]\nprogress_every_s = {PROGRESS_EVERY_S}\n",
        encoding="utf-8",
    )
    return path


async def until(check: Callable[[], Awaitable[bool]], what: str, worker: Any = None) -> None:
    """Until ``check`` holds (a worker runs beside the test; it must not have exited)."""
    deadline = time.monotonic() + TIMEOUT_S
    while not await check():
        assert worker is None or worker.poll() is None, f"the worker exited: {what}"
        assert time.monotonic() < deadline, f"waited {TIMEOUT_S}s for {what}"
        await asyncio.sleep(0.02)


def kill(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)


async def copies_written(db: Database, campaign_id: int) -> int:
    async with db.read() as session:
        stmt = select(func.count()).where(OutboxMessage.campaign_id == campaign_id)
        return int(await session.scalar(stmt) or 0)


def copies(client: SandboxClient) -> dict[int, int]:
    """chat id → how many copies of the broadcast the sandbox delivered there."""
    summary = client.delivered("sendMessage")
    return {int(chat): texts.get(SEEN, 0) for chat, texts in summary["chats"].items()}


def reached(client: SandboxClient) -> int:
    """How many volunteers got the broadcast (once or more)."""
    return sum(1 for n in copies(client).values() if n)


def plain(markup: object) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", str(markup)))


def edits_of(client: SandboxClient, chat_id: int, message_id: int, since: int) -> list[str]:
    """The texts the message was edited to after event ``since``, in order."""
    events = client.events(chat_id, since=since)["events"]
    return [
        str(e["message"].get("text"))
        for e in events
        if e["kind"] == "edited" and (e.get("message") or {}).get("message_id") == message_id
    ]


def last_seq(client: SandboxClient, chat_id: int) -> int:
    return int(client.events(chat_id)["last_seq"])


async def broadcast_to_volunteers(
    services: Services, db: Database, client: SandboxClient, sb: SandboxProcess
) -> tuple[int, int, int]:
    """The street coordinator's broadcast to the volunteers, and its progress message
    sent as the bot's handler sends it: (broadcast id, campaign id, message id)."""
    org = await load_org(services)
    await add_approved_volunteers(db, org[COMMUNITY].id, VOLUNTEERS, language="en")
    for tid in VOLUNTEERS:
        client.call("POST", "/sandbox/users", {"user_id": tid, "first_name": f"v{tid}"})
    client.call("POST", "/sandbox/users", {"user_id": COORDINATOR_ID, "first_name": "罗杰"})
    street = await coordinator(services, COORDINATOR_ID, STREET)
    draft = BroadcastDraft(text=WORDS, kind="activities", unit_id=org[STREET].id)  # type: ignore[arg-type]
    sent = await services.broadcasts.send(street, draft)
    first = await services.broadcasts.progress(sent.id)
    bot = Bot(sb.token, base_url=sb.base_url, base_file_url=sb.base_file_url)
    async with bot:
        message = await bot.send_message(
            COORDINATOR_ID,
            str(progress_text(get_translator("zh_CN"), first, services.broadcasts.timezone)),
            parse_mode="HTML",
        )
    await services.broadcasts.attach_progress(sent.id, COORDINATOR_ID, message.message_id)
    async with db.read() as session:
        row = await session.get(Broadcast, sent.id)
        assert row is not None and row.campaign_id is not None
    return sent.id, row.campaign_id, message.message_id


async def test_a_broadcast_survives_sigkills_mid_fan_out_and_mid_send(
    db: Database, db_url: str, sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    sb, n = sandbox_process, len(VOLUNTEERS)
    client = SandboxClient(sb.url, timeout=30)
    config = load_config(environ={}, overrides={"database": {"url": db_url}})
    services = build_services(config, db)
    bid, campaign, pid = await broadcast_to_volunteers(services, db, client, sb)
    slow, fast = worker_config(tmp_path, sb, SLOW_PAGE), worker_config(tmp_path, sb, FAST_PAGE)

    # killed while it writes the recipients: some pages written, not all
    worker = start_sender(slow, db_url, sb.token)
    try:
        await until(
            lambda: _at_least(copies_written(db, campaign), 3 * SLOW_PAGE), "a page", worker
        )
    finally:
        kill(worker)
    assert 0 < await copies_written(db, campaign) < n, "the kill missed the fan-out"

    # restarted, and killed while it sends the copies: all written, some delivered
    worker = start_sender(fast, db_url, sb.token)
    try:
        await until(lambda: _at_least(copies_written(db, campaign), n), "the fan-out", worker)
        target = delivered_total(client) + 200

        async def sending() -> bool:
            return delivered_total(client) >= target

        await until(sending, "deliveries", worker)
    finally:
        kill(worker)
    assert 0 < reached(client) < n, "the kill missed the sending"
    restarted = last_seq(client, COORDINATOR_ID)

    # restarted once more: it finishes, and the progress message carries on to the report
    worker = start_sender(fast, db_url, sb.token)
    try:

        async def done() -> bool:
            async with db.read() as session:
                row = await session.get(Broadcast, bid)
                return row is not None and row.state == "done"

        await until(done, "the broadcast done", worker)
        final = await services.broadcasts.progress(bid)
        async with db.read() as session:
            row = await session.get(Broadcast, bid)
            assert row is not None and row.finished_at is not None
        zone = services.broadcasts.timezone
        report = plain(
            progress_text(get_translator("zh_CN"), replace(final, now=row.finished_at), zone)
        )

        async def reported() -> bool:
            edits = edits_of(client, COORDINATOR_ID, pid, restarted)
            return bool(edits) and edits[-1] == report

        await until(reported, "the final report in the progress message", worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err.decode()

    # everybody got it; nobody twice beyond what was in flight at the two kills
    counts = copies(client)
    assert [tid for tid in VOLUNTEERS if not counts.get(tid)] == []
    duplicates = sum(counts[tid] - 1 for tid in VOLUNTEERS)
    assert duplicates <= 2 * CONCURRENCY, f"{duplicates} duplicates after 2 kills"
    assert final.finished and final.written == n
    assert final.figures == Figures(delivered=n)

    # the progress message went on after the last restart (a round at the worker's
    # start shows how far it got), and its last edit, and what it shows now, is the report
    after = edits_of(client, COORDINATOR_ID, pid, restarted)
    title = prompt(get_translator("zh_CN"), "broadcast.progress_title")
    assert any(text.startswith(title) for text in after[:-1]), after
    assert after[-1] == report
    [shown] = [m for m in client.messages(COORDINATOR_ID) if m["message_id"] == pid]
    assert shown["text"] == report
    print(f"\n{n} volunteers, 2 kills: {duplicates} duplicates (bound {2 * CONCURRENCY})")


async def _at_least(count: Awaitable[int], n: int) -> bool:
    return await count >= n
