"""A sender on its own (``volunteer-bot outbox send``): the same sender the bot runs,
for extra delivery workers, draining a backlog, and the crash tests; with it the same
fan-out (campaigns' recipients written to the outbox page by page) and the same
broadcast progress rounds (``services.broadcasts.report()`` at start and every
``[broadcasts] progress_every_s``: each going broadcast's progress message edited, one
found finished marked done and given its final report), so a worker alone delivers an
announcement or a broadcast whose bot process went away, and the coordinator's progress
message carries on after a restart. ``--until-idle`` runs one round after draining
(and drains the edits it queued)."""

from __future__ import annotations

import asyncio
import signal

from telegram import Bot

from bot.config import Config, ConfigError
from bot.delivery.fanout import Fanout
from bot.delivery.progress_rounds import progress_rounds
from bot.delivery.sender import Sender, SenderStats
from bot.delivery.telegram_transport import TelegramTransport
from bot.runtime.http_client import http_request
from storage.database import Database


def make_bot(config: Config) -> Bot:
    if config.bot_token is None:
        raise ConfigError("BOT_TOKEN is not set")
    return Bot(
        config.bot_token.get_secret_value(),
        base_url=config.telegram.base_url,
        base_file_url=config.telegram.base_file_url,
        request=http_request(config, pool_size=max(8, config.delivery.concurrency * 2)),
    )


async def run_sender(config: Config, until_idle: bool) -> SenderStats:
    db = Database.from_url(
        config.database.url,
        busy_timeout_ms=config.database.busy_timeout_ms,
        pool_size=config.database.pool_size,
    )
    from bot.app import build_services

    services = build_services(config, db)
    bot = make_bot(config)
    sender = Sender(
        services.outbox,
        TelegramTransport(bot, allow_paid_broadcast=config.delivery.paid_broadcast),
        config.delivery,
    )
    fanout = Fanout(services.campaigns, config.delivery.poll_seconds, on_page=sender.wake)
    try:
        async with bot:
            if until_idle:
                await fanout.drain()
                await sender.drain()
                if await services.broadcasts.report():  # the edits it queued go too
                    await sender.drain()
                return sender.stats
            rounds = progress_rounds(
                services.broadcasts, config.broadcasts.progress_every_s, sender.wake
            )
            tasks = [
                asyncio.create_task(sender.run()),
                asyncio.create_task(fanout.run()),
                asyncio.create_task(rounds),
            ]
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, lambda: [task.cancel() for task in tasks])
            await asyncio.gather(*tasks, return_exceptions=True)
            return sender.stats
    finally:
        await db.dispose()
