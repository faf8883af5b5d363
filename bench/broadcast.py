"""Broadcast bench (issue 15): a coordinator's broadcast to N volunteers, through the
bot's own code — composition skipped (``services.broadcasts.send`` with a draft, as the
flow's last press calls it); the fan-out (``Fanout``), the sender (``Sender`` with the
bot's HTTP client) and the progress rounds (``services.broadcasts.report()`` every
``[broadcasts] progress_every_s``, editing a real progress message) all real — against
the sandbox in its own process enforcing a flood limit of ``--rate`` messages/s (429
with retry_after past it), as ``bench/delivery.py`` does.

    .venv/bin/python bench/broadcast.py --recipients 20000 --rate 1000
    .venv/bin/python bench/broadcast.py --recipients 20000 --rate 1000 \\
        --backend postgresql --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

The volunteers are bulk-inserted (bench/fanout.py ``seed``), not registered. The sender
runs with ``[delivery] rate_per_s`` = ``--rate`` and ``paid_broadcast`` on (the copies
go at the paid rate), the progress rounds every 3 s (the least the configuration
allows). Prints one JSON line: recipients, rate_limit, achieved_per_s (copies delivered
over the time from the send to the last copy delivered), ratio (achieved / limit),
duplicates and lost (counted by the sandbox), progress_edits (editMessageText calls
the sandbox received), fanout_s (from the send until every copy was written),
send_answered_ms (the coordinator's send), report_ok (the progress message's last edit
is the final report), seconds.

Not measured yet: ``--places``/``--tappers`` (volunteers grabbing an activity's places
from the broadcast's message mid-way) come with attaching an activity to a broadcast.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout import seed
from bench.grab_storm import COMMUNITY, database_url
from bot.app import build_services, prepare_database
from bot.cli.send_worker import make_bot
from bot.config import load_config
from bot.delivery.fanout import Fanout
from bot.delivery.sender import Sender
from bot.delivery.telegram_transport import TelegramTransport
from bot.i18n import get_translator
from bot.messages.broadcasts import progress_text
from bot.services.broadcasts.drafts import BroadcastDraft
from sandbox.client import SandboxClient
from sandbox.process import SandboxProcess
from storage.database import Database

COORDINATOR_ID = 9_000_001
WORDS = "<b>浓情重阳节·温暖志愿行</b>：本周六上午 9 点，社区活动室集合，陪老人包饺子。"
PROGRESS_EVERY_S = 3


async def run(args: argparse.Namespace, sandbox: SandboxProcess, url: str) -> dict[str, Any]:
    config = load_config(
        environ={"BOT_TOKEN": sandbox.token},
        overrides={
            "database": {"url": url},
            "org": {"file": str(Path(__file__).resolve().parents[1] / "orgs.example.toml")},
            "telegram": {"base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url},
            "delivery": {
                "rate_per_s": args.rate,
                "paid_broadcast": True,
                "paid_rate_per_s": args.rate,
                "concurrency": args.concurrency,
                "per_chat_per_s": 1,
                "poll_seconds": 0.05,
            },
            "broadcasts": {"progress_every_s": PROGRESS_EVERY_S},
        },
    )
    db = Database.from_url(url)
    client = SandboxClient(sandbox.url)
    try:
        if db.dialect != "sqlite":
            from storage.migrate import upgrade

            await upgrade(db.engine)
        await prepare_database(config, db)
        await seed(url, args.recipients)
        services = build_services(config, db)
        community = await services.org.unit_by_code(COMMUNITY)
        assert community is not None
        await services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="bench")
        boss = await services.users.get(COORDINATOR_ID)
        assert boss is not None
        bot = make_bot(config)
        sender = Sender(
            services.outbox, TelegramTransport(bot, allow_paid_broadcast=True), config.delivery
        )
        fanout = Fanout(services.campaigns, config.delivery.poll_seconds, on_page=sender.wake)
        draft = BroadcastDraft.model_validate(
            {"text": WORDS, "kind": "activities", "unit_id": community.id}
        )
        async with bot:
            shown = await bot.send_message(COORDINATOR_ID, "📢")  # the progress message
            began = time.perf_counter()
            sent = await services.broadcasts.send(boss, draft)
            send_ms = (time.perf_counter() - began) * 1000
            await services.broadcasts.attach_progress(sent.id, COORDINATOR_ID, shown.message_id)
            tasks = [
                asyncio.create_task(sender.run(), name="sender"),
                asyncio.create_task(fanout.run(), name="fanout"),
            ]
            fanout_s = done_s = None
            next_round = time.perf_counter()
            while True:
                for task in tasks:
                    if task.done():
                        task.result()
                now = time.perf_counter()
                if fanout_s is None and not await services.campaigns.running():
                    fanout_s = now - began
                if fanout_s is not None and done_s is None:
                    if not (await services.broadcasts.progress(sent.id)).figures.waiting:
                        done_s = now - began  # the last copy delivered (or given up)
                if now >= next_round:
                    next_round = now + PROGRESS_EVERY_S
                    if await services.broadcasts.report():
                        sender.wake()
                    progress = await services.broadcasts.progress(sent.id)
                    if progress.finished and progress.broadcast.state == "done":
                        break
                await asyncio.sleep(0.2)
            elapsed = done_s or time.perf_counter() - began
            # the final report's edit, sent before stopping
            while (await services.outbox.report()).waiting:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        copies = client.call("GET", "/sandbox/delivered", method="sendMessage", texts=0)
        edits = client.call("GET", "/sandbox/delivered", method="editMessageText", texts=0)
        listing = client.call("GET", f"/sandbox/chats/{COORDINATOR_ID}/messages")["messages"]
        final = progress_text(get_translator(boss.language), progress, config.general.timezone)
        shown_now = (
            next((m for m in listing if m.get("message_id") == shown.message_id), {}).get("html")
            or ""
        )
        delivered = progress.figures.delivered
        return {
            "recipients": args.recipients,
            "rate_limit": args.rate,
            "achieved_per_s": round(delivered / elapsed, 1),
            "ratio": round(delivered / elapsed / args.rate, 3),
            # the progress message itself is one more sendMessage, to the coordinator
            "duplicates": int(copies["total"]) - int(copies["distinct"]),
            "lost": args.recipients - (int(copies["distinct"]) - 1),
            "progress_edits": int(edits["total"]),
            "fanout_s": round(fanout_s or elapsed, 2),
            "send_answered_ms": round(send_ms, 1),
            "report_ok": shown_now == str(final),
            "backend": db.dialect,
            "seconds": round(elapsed, 2),
            "report_at_s": round(time.perf_counter() - began, 2),
        }
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=1000, help="the sandbox's flood limit /s")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--database-url", default="", help="postgresql: a server URL")
    args = parser.parse_args()
    url, pg_name = database_url(args)  # outside the bench's loop (the helpers run their own)
    try:
        with SandboxProcess(
            "--open-chats", "--log-limit", "0", "--rate", str(args.rate), stderr=subprocess.DEVNULL
        ) as sandbox:
            result = asyncio.run(run(args, sandbox, url))
    finally:
        if pg_name is not None:
            from tests.support.database import drop_postgres_database

            drop_postgres_database(args.database_url or os.environ["TEST_POSTGRES_URL"], pg_name)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
