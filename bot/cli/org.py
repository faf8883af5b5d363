"""``volunteer-bot org import``: create or update the organisation tree, the specialty
teams and the categories from an org file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.common import (
    PROG,
    CommandGroup,
    _database,
    _ensure_schema,
    _load,
    _org_summary,
    _run,
    describe_database,
)
from bot.services.org.org_file import parse_org_file

# ---- org ----------------------------------------------------------------------------


def cmd_org_import(args: argparse.Namespace) -> int:
    config = _load(args)
    path = Path(args.file)
    org = parse_org_file(path)  # a bad file fails here, before the database is touched

    async def work() -> Any:
        async with _database(config) as db:
            await _ensure_schema(config, db)
            from bot.app import build_services

            return await build_services(config, db).org.import_file(path)

    report = _run(config, work())
    print(f"{path} ({_org_summary(org)}) -> {describe_database(config.database.url)}")
    print(f"  units: {report.created} created, {report.updated} updated, ", end="")
    print(f"{report.unchanged} unchanged")
    print(f"  teams: {report.teams_created} created, {report.teams_updated} updated")
    print(f"  categories: {report.categories_created} created, {report.categories_updated} updated")
    if not report.changed:
        print("  nothing changed")
    return 0


# ---- the command's arguments --------------------------------------------------------


def add_commands(commands: CommandGroup) -> None:
    org_commands = commands.group(
        "org",
        summary="Organisation units and specialty teams: import the org file.",
        description="The organisation tree (district, streets, communities, grids) and teams.",
        epilog=f"examples:\n  {PROG} org import orgs.example.toml",
    )
    org_import = org_commands.command(
        "import",
        "Create or update units and teams from an org file, by code (nothing is deleted).",
        "examples:\n"
        f"  {PROG} org import orgs.example.toml\n"
        f"  {PROG} --config config.toml org import /etc/volunteer-bot/orgs.toml\n"
        "\n"
        "Safe to repeat: a second import of the same file changes nothing. A SQLite\n"
        f"database is migrated first; PostgreSQL needs `{PROG} db upgrade` before.",
        cmd_org_import,
    )
    org_import.add_argument("file", metavar="FILE", help="the org file (TOML)")
