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

With ``--places P --tappers T`` the broadcast carries an activity of P places, and
once half the copies are delivered the first T recipients (whose copies went first)
press its Grab button on their copy, all at once, from a process of their own (64
threads); the bot's own Application (handlers, services, the waitlist's follow-up
edits) takes their presses from getUpdates as its polling does, while the broadcast
goes on. Adds: ratio_all (every message the flood limit counted over the same time:
the tappers' place messages and waitlist edits share it with the copies), places,
tappers, winners (claims of the order), answered (presses answered), waitlist_offers
(losers' copies edited to offer the waitlist), grab_p50_ms and grab_p99_ms (from the
moment a press reached the bot — getUpdates returned it — to the end of its handling:
the answer, and a winner's place message), loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select
from telegram import Bot, Update

from bench.fanout import FIRST_ID, seed
from bench.grab_storm import COMMUNITY, database_url
from bot.app import build_application, build_services, prepare_database
from bot.cli.send_worker import make_bot
from bot.config import Config, load_config
from bot.delivery.fanout import Fanout
from bot.delivery.sender import Sender
from bot.delivery.telegram_transport import TelegramTransport
from bot.i18n import get_translator
from bot.messages.broadcasts import progress_text
from bot.runtime.event_loop import loop_name
from bot.runtime.event_loop import run as run_loop
from bot.runtime.http_client import http_request
from bot.runtime.update_processor import PerUserUpdateProcessor
from bot.services.broadcasts.drafts import BroadcastDraft
from sandbox.client import SandboxClient
from sandbox.process import SandboxProcess
from storage.database import Database
from storage.enums import ClaimState
from storage.models import Claim

COORDINATOR_ID = 9_000_001
WORDS = "<b>浓情重阳节·温暖志愿行</b>：本周六上午 9 点，社区活动室集合，陪老人包饺子。"
PROGRESS_EVERY_S = 3


def activity(community_id: int, places: int) -> dict[str, Any]:
    """The draft's answers about the activity it carries (as the flow collects them)."""
    starts = datetime.now(UTC) + timedelta(days=2)
    return {
        "places": places,
        "community_id": community_id,
        "category": "elderly_visit",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "address": "龙湖东岸社区活动室",
        "phone": "13800138000",
    }


class Taps:
    """The tappers press Grab on their copy (message 1 of their chat), all at once, in
    the sandbox; the bot's Application takes the presses from getUpdates as its polling
    does and handles each as it comes, all at once (its update processor)."""

    def __init__(self, sandbox: SandboxProcess, config: Config, app: Any, order_id: int) -> None:
        self.sandbox, self.config, self.app, self.order_id = sandbox, config, app, order_id
        self.latencies: list[float] = []

    async def _handle(self, update: Update, received: float) -> None:
        app = self.app
        await app.update_processor.process_update(update, app.process_update(update))
        self.latencies.append(time.perf_counter() - received)

    async def run(self, tappers: int) -> None:
        # pressed from a process of its own, as Telegram's users are: the presses' HTTP
        # calls do not share the bot's process (its event loop and its GIL)
        self.t0 = time.perf_counter()
        pressing = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--press", self.sandbox.url, str(self.order_id),
            str(tappers),
        )  # fmt: skip
        poller = Bot(
            self.sandbox.token,
            base_url=self.sandbox.base_url,
            request=http_request(self.config, 2),
            get_updates_request=http_request(self.config, 1),
        )
        handling: list[asyncio.Task[None]] = []
        async with poller:
            offset = 0
            while len(handling) < tappers:
                batch = await poller.get_updates(
                    offset=offset, limit=100, timeout=2, allowed_updates=["callback_query"]
                )
                received = time.perf_counter()
                if not batch and pressing.returncode is not None:
                    break
                for u in batch:
                    update = Update.de_json(u.to_dict(), self.app.bot)
                    handling.append(asyncio.create_task(self._handle(update, received)))
                if batch:
                    offset = batch[-1].update_id + 1
            await poller.get_updates(offset=offset, timeout=0)
        await pressing.wait()
        await asyncio.gather(*handling)
        processor = self.app.update_processor
        if isinstance(processor, PerUserUpdateProcessor):
            await processor.drain()  # the losers' copies edited to offer the waitlist


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
        app = build_application(config, db=db, token=sandbox.token, run_background=False)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)  # as PTB's runners do (the category cache warmed)
        sender = Sender(
            services.outbox, TelegramTransport(bot, allow_paid_broadcast=True), config.delivery
        )
        fanout = Fanout(services.campaigns, config.delivery.poll_seconds, on_page=sender.wake)
        answers: dict[str, Any] = {"text": WORDS, "kind": "activities", "unit_id": community.id}
        if args.places:
            answers |= activity(community.id, args.places)
        draft = BroadcastDraft.model_validate(answers)
        taps: Taps | None = None
        tapping: asyncio.Task[None] | None = None
        async with bot:
            shown = await bot.send_message(COORDINATOR_ID, "📢")  # the progress message
            began = time.perf_counter()
            sent = await services.broadcasts.send(boss, draft)
            send_ms = (time.perf_counter() - began) * 1000
            await services.broadcasts.attach_progress(sent.id, COORDINATOR_ID, shown.message_id)
            if args.tappers and sent.order_id is not None:
                taps = Taps(sandbox, config, app, sent.order_id)
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
                if taps is not None and tapping is None:
                    delivered = (await services.broadcasts.progress(sent.id)).figures.delivered
                    if delivered >= max(args.tappers, args.recipients // 2):  # mid-way
                        tapping = asyncio.create_task(taps.run(args.tappers), name="taps")
                        tasks.append(tapping)
                if now >= next_round:
                    next_round = now + PROGRESS_EVERY_S
                    if await services.broadcasts.report():
                        sender.wake()
                    progress = await services.broadcasts.progress(sent.id)
                    tapped = taps is None or (tapping is not None and tapping.done())
                    if progress.finished and progress.broadcast.state == "done" and tapped:
                        break
                await asyncio.sleep(0.2)
            elapsed = done_s or time.perf_counter() - began
            # the final report's edit, sent before stopping
            while (await services.outbox.report()).waiting:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await app.shutdown()
        grabbed = await winners(db, sent.order_id)
        copies = client.call("GET", "/sandbox/delivered", method="sendMessage", texts=0)
        edits = client.call("GET", "/sandbox/delivered", method="editMessageText")
        # the progress message's edits (the others: losers' copies offering the waitlist)
        progress_edits = sum(edits["chats"].get(str(COORDINATOR_ID), {}).values())
        listing = client.call("GET", f"/sandbox/chats/{COORDINATOR_ID}/messages")["messages"]
        final = progress_text(get_translator(boss.language), progress, config.general.timezone)
        shown_now = (
            next((m for m in listing if m.get("message_id") == shown.message_id), {}).get("html")
            or ""
        )
        delivered = progress.figures.delivered
        latencies = sorted(taps.latencies) if taps is not None else []
        grabs: dict[str, Any] = {}
        if args.places:
            answers = client.call("GET", "/sandbox/requests", method="answerCallbackQuery")
            answered = {r["params"].get("callback_query_id") for r in answers if r.get("ok")}
            grabs = {
                "places": args.places,
                "tappers": args.tappers,
                "winners": grabbed,
                "answered": len(answered),
                # chats with an edit beside the coordinator's progress message
                "waitlist_offers": int(edits["chat_count"]) - 1,
                "grab_p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
                "grab_p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1)
                if latencies
                else None,
            }
        return {
            "recipients": args.recipients,
            "rate_limit": args.rate,
            "achieved_per_s": round(delivered / elapsed, 1),
            "ratio": round(delivered / elapsed / args.rate, 3),
            # every message the flood limit counted (the copies, the progress message and
            # its edits, the tappers' place messages and waitlist edits) over that time
            "ratio_all": round(
                (int(copies["total"]) + int(edits["total"])) / elapsed / args.rate, 3
            ),
            # the progress message itself is one more sendMessage, to the coordinator
            "duplicates": sum(
                n - 1 for counts in copies["duplicates"].values() for n in counts.values()
            ),
            "lost": args.recipients - (int(copies["chat_count"]) - 1),
            "progress_edits": progress_edits,
            "fanout_s": round(fanout_s or elapsed, 2),
            "send_answered_ms": round(send_ms, 1),
            "report_ok": shown_now == str(final),
            "backend": db.dialect,
            "loop": loop_name(asyncio.get_running_loop()),
            "seconds": round(elapsed, 2),
            "report_at_s": round(time.perf_counter() - began, 2),
            **grabs,
        }
    finally:
        await db.dispose()


async def winners(db: Database, order_id: int | None) -> int:
    """Volunteers with a place on the order (0 without one)."""
    if order_id is None:
        return 0
    async with db.read() as session:
        return int(
            await session.scalar(
                select(func.count(func.distinct(Claim.volunteer_id))).where(
                    Claim.order_id == order_id, Claim.state == ClaimState.CLAIMED.value
                )
            )
            or 0
        )


def press(url: str, order_id: int, tappers: int) -> None:
    """``--press``: the first ``tappers`` volunteers press Grab on their copy, all at
    once (a thread each, 64 at a time)."""
    from concurrent.futures import ThreadPoolExecutor

    client = SandboxClient(url, timeout=60)

    def one(i: int) -> None:
        client.call(
            "POST",
            f"/sandbox/users/{FIRST_ID + i}/callback",
            {"message_id": 1, "data": f"gr:{order_id}"},
        )

    with ThreadPoolExecutor(64) as pool:
        list(pool.map(one, range(tappers)))


def main() -> None:
    if sys.argv[1:2] == ["--press"]:  # the tappers' process (Taps.run)
        press(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=1000, help="the sandbox's flood limit /s")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--database-url", default="", help="postgresql: a server URL")
    parser.add_argument("--places", type=int, default=0, help="an activity with P places")
    parser.add_argument("--tappers", type=int, default=0, help="recipients who tap Grab")
    args = parser.parse_args()
    url, pg_name = database_url(args)  # outside the bench's loop (the helpers run their own)
    try:
        with SandboxProcess(
            "--open-chats",
            "--log-limit",  # the presses' answers are counted from the requests' log
            str((args.recipients + args.tappers) * 4 if args.tappers else 0),
            "--rate",
            str(args.rate),
            stderr=subprocess.DEVNULL,
        ) as sandbox:
            result = run_loop(run(args, sandbox, url))  # the bot's own loop (uvloop)
    finally:
        if pg_name is not None:
            from tests.support.database import drop_postgres_database

            drop_postgres_database(args.database_url or os.environ["TEST_POSTGRES_URL"], pg_name)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
