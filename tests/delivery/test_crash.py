"""Exactly-once effect across crashes: real sender processes, killed with SIGKILL at
random moments and restarted, against the sandbox in a process of its own.

Every message is delivered; the only duplicates are messages that were in flight when
a sender died — at most its concurrency per kill (see bot/delivery/sender.py)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sandbox.client import SandboxClient
from sandbox.process import SandboxProcess
from storage.database import Database
from storage.models import OutboxMessage
from storage.repositories import outbox as outbox_repo
from tests.support.bot import ROOT

MESSAGES = 10_000
CHATS = 500
CONCURRENCY = 16
KILLS = 4
SETTLE_TIMEOUT_S = 180


@pytest.fixture
def sandbox_process() -> Iterator[SandboxProcess]:
    with SandboxProcess("--log-limit", "0", stderr=subprocess.DEVNULL) as sb:
        yield sb


def sender_config(tmp_path: Path, sb: SandboxProcess) -> Path:
    path = tmp_path / "sender.toml"
    path.write_text(
        "[telegram]\n"
        f'base_url = "{sb.base_url}"\n'
        f'base_file_url = "{sb.base_file_url}"\n'
        '[general]\nlog_level = "WARNING"\n'
        "[delivery]\n"
        "rate_per_s = 1000\nper_chat_per_s = 30\n"
        f"concurrency = {CONCURRENCY}\nlease_seconds = 3\npoll_seconds = 0.05\n",
        encoding="utf-8",
    )
    return path


def start_sender(config: Path, db_url: str, token: str, *extra: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BOT_TOKEN": token,
        "DATABASE_URL": db_url,
        "VOLUNTEER_BOT_CONFIG": str(config),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "outbox", "send", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def fill_outbox(db: Database, count: int) -> None:
    async with db.transaction() as session:
        await outbox_repo.insert_queued(
            session,
            [(f"crash:{n}", 100_000 + n % CHATS, f"m{n}") for n in range(count)],
            datetime.now(UTC),
        )


async def sent_count(db: Database) -> int:
    async with db.read() as session:
        return int(
            await session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) or 0
        )


def delivered_counts(client: SandboxClient) -> dict[str, int]:
    summary = client.call("GET", "/sandbox/delivered", method="sendMessage")
    counts: dict[str, int] = {}
    for chat in summary["chats"].values():
        for text, n in chat.items():
            counts[text] = counts.get(text, 0) + n
    return counts


def delivered_total(client: SandboxClient) -> int:
    return int(client.call("GET", "/sandbox/delivered", method="sendMessage", texts=0)["total"])


async def wait_for_deliveries(
    client: SandboxClient, target: int, sender: subprocess.Popen[bytes]
) -> None:
    """Until the sandbox has delivered ``target`` messages (or the sender exited)."""
    deadline = time.monotonic() + 120
    while delivered_total(client) < target and sender.poll() is None:
        assert time.monotonic() < deadline, "timed out waiting for deliveries"
        await asyncio.sleep(0.05)


async def test_sigkilled_senders_deliver_everything_with_bounded_duplicates(
    db: Database, db_url: str, sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    client = SandboxClient(sandbox_process.url, timeout=30)
    for n in range(CHATS):
        client.call("POST", "/sandbox/users", {"user_id": 100_000 + n, "first_name": f"u{n}"})
    await fill_outbox(db, MESSAGES)
    config = sender_config(tmp_path, sandbox_process)
    rng = random.Random(20261129)

    kills = 0
    for _ in range(KILLS):
        before = delivered_total(client)
        target = before + rng.randint(300, 1500)  # die somewhere in the next stretch
        sender = start_sender(config, db_url, sandbox_process.token)
        try:
            await wait_for_deliveries(client, target, sender)
        finally:
            sender.send_signal(signal.SIGKILL)
            sender.wait(timeout=30)
        kills += 1

    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while await sent_count(db) < MESSAGES:  # leases of the killed senders run out
        assert time.monotonic() < deadline, "the outbox did not drain"
        last = start_sender(config, db_url, sandbox_process.token, "--until-idle")
        _, err = last.communicate(timeout=SETTLE_TIMEOUT_S)
        assert last.returncode == 0, err.decode()
        await asyncio.sleep(0.2)

    counts = delivered_counts(client)
    missing = [n for n in range(MESSAGES) if f"m{n}" not in counts]
    duplicates = sum(c - 1 for c in counts.values())
    assert missing == [], f"{len(missing)} never delivered"
    assert len(counts) == MESSAGES
    assert duplicates <= kills * CONCURRENCY, (
        f"{duplicates} duplicates after {kills} kills of senders with concurrency {CONCURRENCY}"
    )
    print(
        f"\n{MESSAGES} messages, {kills} kills: {duplicates} duplicates "
        f"(bound {kills * CONCURRENCY})"
    )


@pytest.mark.backends("postgresql")
async def test_two_senders_on_one_database_never_send_the_same_message(
    db: Database, db_url: str, sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    client = SandboxClient(sandbox_process.url, timeout=30)
    for n in range(CHATS):
        client.call("POST", "/sandbox/users", {"user_id": 100_000 + n, "first_name": f"u{n}"})
    await fill_outbox(db, 5000)
    config = sender_config(tmp_path, sandbox_process)
    senders = [
        start_sender(config, db_url, sandbox_process.token, "--until-idle") for _ in range(2)
    ]
    for sender in senders:
        _, err = sender.communicate(timeout=SETTLE_TIMEOUT_S)
        assert sender.returncode == 0, err.decode()
    counts = delivered_counts(client)
    assert len(counts) == 5000 and await sent_count(db) == 5000
    assert [t for t, c in counts.items() if c > 1] == []
