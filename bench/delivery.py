"""Delivery benchmark: the real sender drains an outbox of N messages to N recipients
through the bot's HTTP client, against the sandbox in its own process enforcing a flood
limit of ``--rate`` messages/s (429 with retry_after past it).

    .venv/bin/python bench/delivery.py --recipients 20000 --rate 1000
    .venv/bin/python bench/delivery.py --recipients 500 --rate 25
    .venv/bin/python bench/delivery.py --recipients 20000 --rate 1000 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench

The last line printed is one JSON object: recipients, rate_limit, achieved_per_s (from
the first send to the last message marked sent), ratio (achieved / limit), lost,
duplicates (counted by the sandbox), retry_after_seen (429s the sender met), rss_mb
(peak of this process: sender, database driver and client).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bot.cli.send_worker import make_bot
from bot.config import load_config
from bot.delivery.outbox import OutboxService
from bot.delivery.sender import Sender
from bot.delivery.telegram_transport import TelegramTransport
from bot.services.kernel.clock import SystemClock
from sandbox.client import SandboxClient
from sandbox.process import SandboxProcess
from storage.database import Database
from storage.migrate import upgrade
from storage.repositories import outbox as outbox_repo

FIRST_CHAT = 1_000_000


async def fill(db: Database, count: int) -> None:
    text = "志愿服务通知 #{n}: <b>浓情重阳节·温暖志愿行</b> 20 places"
    async with db.transaction() as session:
        await outbox_repo.insert_queued(
            session,
            [(f"bench:{n}", FIRST_CHAT + n, text.format(n=n)) for n in range(count)],
            datetime.now(UTC),
            priority=10,
        )


async def run(args: argparse.Namespace, sandbox: SandboxProcess) -> dict[str, object]:
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    config = load_config(
        environ={"BOT_TOKEN": sandbox.token},
        overrides={
            "database": {"url": url},
            "telegram": {"base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url},
            "delivery": {
                "rate_per_s": args.rate,
                "concurrency": args.concurrency,
                "per_chat_per_s": 1,
                "poll_seconds": 0.05,
            },
        },
    )
    db = Database.from_url(config.database.url)
    await upgrade(db.engine)
    await fill(db, args.recipients)
    outbox = OutboxService(db, SystemClock())
    bot = make_bot(config)
    sender = Sender(outbox, TelegramTransport(bot), config.delivery)
    async with bot:
        started = time.perf_counter()
        task = asyncio.create_task(sender.run())
        stats = sender.stats
        while stats.sent + stats.failed + stats.unreachable < args.recipients:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await db.dispose()
    summary = SandboxClient(sandbox.url).call(
        "GET", "/sandbox/delivered", method="sendMessage", texts=0
    )
    achieved = sender.stats.sent / elapsed
    return {
        "recipients": args.recipients,
        "rate_limit": args.rate,
        "achieved_per_s": round(achieved, 1),
        "ratio": round(achieved / args.rate, 3),
        "lost": args.recipients - int(summary["distinct"]),
        "duplicates": int(summary["total"]) - int(summary["distinct"]),
        "retry_after_seen": sender.stats.flood_waits,
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "backend": db.dialect,
        "seconds": round(elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=1000, help="the sandbox's flood limit /s")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with SandboxProcess(
        "--open-chats", "--log-limit", "0", "--rate", str(args.rate), stderr=subprocess.DEVNULL
    ) as sandbox:
        result = asyncio.run(run(args, sandbox))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
