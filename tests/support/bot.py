"""The real bot (``build_application``) polling the sandbox over HTTP, on a migrated
database with the example org loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import build_application, prepare_database, start_polling, stop_polling
from bot.background import RUNNER, wake_sender
from bot.config import Config, load_config
from bot.container import Services
from bot.services.kernel.clock import Clock
from sandbox import Sandbox
from storage.database import Database
from tests.support.services import FakeClock
from tests.support.stopping import stop_within

ROOT = Path(__file__).resolve().parents[2]
ORG_FILE = ROOT / "orgs.example.toml"
ADMIN_ID = 9001


def test_config(sandbox: Sandbox, db_url: str, **sections: dict[str, Any]) -> Config:
    overrides: dict[str, dict[str, Any]] = {
        "database": {"url": db_url},
        "org": {"file": str(ORG_FILE)},
        "admins": {"telegram_ids": [ADMIN_ID], "unit": "hanyang"},
        "telegram": {
            "base_url": sandbox.base_url,
            "base_file_url": sandbox.base_file_url,
            "poll_timeout": 5,
        },
    }
    for name, values in sections.items():
        overrides.setdefault(name, {}).update(values)
    return load_config(environ={}, overrides=overrides)


@dataclass
class RunningBot:
    app: Application  # type: ignore[type-arg]
    config: Config
    db: Database
    sandbox: Sandbox
    clock: Clock | None = None

    @property
    def services(self) -> Services:
        return self.app.bot_data["services"]  # type: ignore[no-any-return]

    async def restart(self) -> None:
        """Stop the bot and start a fresh Application on the same database: everything
        held in memory is gone, as after a crash or a deploy."""
        await stop_bot(self.app)
        self.app = await start_bot(self.config, self.db, self.sandbox, self.clock)

    async def run_due_jobs(self) -> int:
        """Run every job due by the bot's clock now (as the ticker would at its next
        tick) and wake the sender for what they enqueued: how many ran."""
        report = await self.app.bot_data[RUNNER].tick()
        wake_sender(self.app)
        return int(report.ran)


async def start_bot(
    config: Config, db: Database, sandbox: Sandbox, clock: Clock | None = None
) -> Application:  # type: ignore[type-arg]
    app = build_application(config, db=db, token=sandbox.token, clock=clock)
    await start_polling(app, poll_timeout=5)
    return app


async def stop_bot(app: Application) -> None:  # type: ignore[type-arg]
    await stop_within(stop_polling(app), "the bot")


async def run_bot(
    sandbox: Sandbox, db: Database, clock: Clock | None = None, **sections: dict[str, Any]
) -> AsyncIterator[RunningBot]:
    config = test_config(sandbox, db.engine.url.render_as_string(hide_password=False), **sections)
    await prepare_database(config, db)
    running = RunningBot(await start_bot(config, db, sandbox, clock), config, db, sandbox, clock)
    try:
        yield running
    finally:
        await stop_bot(running.app)  # the db fixture disposes of the database


@pytest.fixture
async def bot(sandbox: Sandbox, db: Database) -> AsyncIterator[RunningBot]:
    """The bot with coordinator approval required (the default)."""
    async for running in run_bot(sandbox, db):  # db: migrated, emptied for this test
        yield running


def clock_at(now: datetime) -> Any:
    """A test module's ``clock`` fixture, a FakeClock at ``now`` for :func:`bot_on_clock`:
    ``clock = clock_at(NOW)``."""

    @pytest.fixture
    def clock() -> FakeClock:
        return FakeClock(now)

    return clock


@pytest.fixture
async def bot_on_clock(sandbox: Sandbox, db: Database, clock: Clock) -> AsyncIterator[RunningBot]:
    """The bot on the test module's ``clock`` fixture (a FakeClock the test moves);
    ``run_due_jobs`` runs what fell due by it."""
    async for running in run_bot(sandbox, db, clock):
        yield running
