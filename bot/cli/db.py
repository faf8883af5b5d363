"""``volunteer-bot db``: migrate the database's schema (Alembic) to the latest
revision, or show its current one. The migrations are imported inside the commands.
"""

from __future__ import annotations

import argparse

from bot.cli.common import PROG, CommandGroup, _database, _load, _run, describe_database

# ---- db -----------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.migrate import current_revision, upgrade

    config = _load(args)

    async def work() -> tuple[str | None, str | None]:
        async with _database(config) as db:
            before = await current_revision(db.engine)
            await upgrade(db.engine)
            return before, await current_revision(db.engine)

    before, after = _run(config, work())
    print(f"database: {describe_database(config.database.url)}")
    print(f"revision before: {before or '(empty database)'}")
    print(f"revision after:  {after}")
    print("already up to date" if before == after else "upgraded")
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    from storage.migrate import current_revision, head_revision

    config = _load(args)

    async def work() -> str | None:
        async with _database(config) as db:
            return await current_revision(db.engine)

    current = _run(config, work())
    head = head_revision()
    print(f"database: {describe_database(config.database.url)}")
    print(f"current revision: {current or '(empty database)'}")
    print(f"head revision:    {head}")
    if current == head:
        print("up to date")
    else:
        print(f"not up to date: run `{PROG} db upgrade`")
    return 0


# ---- the command's arguments --------------------------------------------------------


def add_commands(commands: CommandGroup) -> None:
    db_commands = commands.group(
        "db",
        summary="Database schema: upgrade to the latest revision, or show the current one.",
        description="Database schema migrations (Alembic) on [database] url / DATABASE_URL.",
        epilog=(
            f"examples:\n  {PROG} db upgrade\n"
            f"  DATABASE_URL=postgresql://u@host/db {PROG} db current"
        ),
    )
    db_commands.command(
        "upgrade",
        "Migrate the database to the latest schema revision (safe to repeat).",
        "examples:\n"
        f"  {PROG} db upgrade\n"
        f"  DATABASE_URL=postgresql://bot@db.example/volunteers {PROG} db upgrade",
        cmd_db_upgrade,
    )
    db_commands.command(
        "current",
        "Show the database's schema revision and whether it is up to date.",
        f"examples:\n  {PROG} db current",
        cmd_db_current,
    )
