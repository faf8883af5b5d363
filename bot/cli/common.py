"""What the ``volunteer-bot`` commands share: the operator's error, loading the
configuration, running a command's async work against the database, and how a command
is declared (a ``CommandGroup``), so that each command module adds its own.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.config import Config, load_config
from bot.logs import setup_logging
from bot.runtime import event_loop
from bot.services.org.org_file import OrgFile
from storage.database import Database, create_engine

PROG = "volunteer-bot"
T = TypeVar("T")
log = logging.getLogger(__name__)


class CommandError(Exception):
    """A failure explained for the operator: printed without a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _load(args: argparse.Namespace, overrides: dict[str, Any] | None = None) -> Config:
    config = load_config(args.config, overrides=overrides)
    setup_logging(config.general.log_level)
    return config


def describe_database(url: str) -> str:
    """The back end and where it is, never the password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database or ':memory:'}"
    where = parsed.host or "localhost"
    if parsed.port:
        where += f":{parsed.port}"
    user = f"{parsed.username}@" if parsed.username else ""
    return f"PostgreSQL {user}{where}/{parsed.database or ''}"


def _run(config: Config, work: Coroutine[Any, Any, T]) -> T:
    """Run one command's async work; a database that cannot be reached or refuses the
    work is an operator problem, reported as a message."""
    try:
        return event_loop.run(work)
    except DBAPIError as exc:
        log.debug("database error", exc_info=True)
        lines = str(exc.orig or exc).strip().splitlines()
        reason = lines[0] if lines else type(exc.orig or exc).__name__
        raise CommandError(f"database {describe_database(config.database.url)}: {reason}") from None
    except OSError as exc:
        log.debug("database error", exc_info=True)
        raise CommandError(
            f"cannot reach the database {describe_database(config.database.url)}: {exc}"
        ) from None


@asynccontextmanager
async def _database(config: Config) -> AsyncIterator[Database]:
    db = Database(
        create_engine(
            config.database.url,
            echo=config.database.echo,
            busy_timeout_ms=config.database.busy_timeout_ms,
            pool_size=config.database.pool_size,
        )
    )
    try:
        yield db
    finally:
        await db.dispose()


async def _ensure_schema(config: Config, db: Database) -> None:
    """SQLite is brought up to date on the spot (as ``make run`` does); any other
    database must have been migrated by the operator with ``db upgrade``."""
    from storage.migrate import current_revision, head_revision, upgrade

    head = head_revision()
    current = await current_revision(db.engine)
    if current == head:
        return
    if config.database.is_sqlite:
        await upgrade(db.engine)
        print(f"database upgraded: {current or '(empty)'} -> {head}")
        return
    state = "has no tables yet" if current is None else f"is at revision {current}"
    raise CommandError(
        f"the database {describe_database(config.database.url)} {state}; this version "
        f"needs revision {head}.\nRun `{PROG} db upgrade` first."
    )


def _org_summary(org: OrgFile) -> str:
    return (
        f"1 district, {len(org.street)} streets, {len(org.community)} communities, "
        f"{len(org.grid)} grids, {len(org.team)} teams"
    )


# ---- declaring commands -------------------------------------------------------------


@dataclass(frozen=True)
class CommandGroup:
    """One level of commands (``volunteer-bot COMMAND``, ``volunteer-bot db ACTION`` …),
    to which each command module adds its own. Every command takes ``common``'s
    ``--config`` too, so it is accepted before or after the command."""

    subparsers: Any  # argparse's _SubParsersAction
    common: argparse.ArgumentParser

    def command(
        self, name: str, summary: str, epilog: str, func: Callable[..., int]
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = self.subparsers.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=epilog,
            parents=[self.common],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(func=func)
        return sub

    def group(self, name: str, *, summary: str, description: str, epilog: str) -> CommandGroup:
        """A command with actions of its own (``db upgrade``, ``db current`` …)."""
        parser = self.subparsers.add_parser(
            name,
            help=summary,
            description=description,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[self.common],
        )
        actions = parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)
        return CommandGroup(actions, self.common)
