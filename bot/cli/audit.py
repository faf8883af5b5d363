"""``volunteer-bot audit``: the audit log, newest first — every unit's, or one unit's and
below (``--unit``), since a day, of one kind (``--kind broadcast``): what coordinators did.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cli.admin import _pick_unit
from bot.cli.common import PROG, CommandError, CommandGroup, _database, _ensure_schema, _load, _run
from bot.services.reports.audit import Entry


def cmd_audit(args: argparse.Namespace) -> int:
    config = _load(args)
    zone = ZoneInfo(config.general.timezone)
    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=zone)
        except ValueError:
            raise CommandError(f"--since {args.since!r}: give a day as YYYY-MM-DD") from None

    async def work() -> tuple[list[Entry], int]:
        async with _database(config) as db:
            await _ensure_schema(config, db)
            from bot.app import build_services

            services = build_services(config, db)
            unit = await _pick_unit(services, args.unit) if args.unit else None
            page = await services.audit.page(
                None, 0, kind=args.kind, since=since, unit=unit, size=args.limit
            )
        return list(page.items), page.total

    entries, total = _run(config, work())
    for e in entries:
        unit = e.unit.code if e.unit else "-"
        when = e.at.astimezone(zone).isoformat(timespec="seconds")
        detail = json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
        print(f"{when}\t{e.actor}\t{e.action}\t{unit}\t{e.target or '-'}\t{detail}")
    more = total - len(entries)
    if more > 0:
        print(f"… {more} older entries not shown (--limit)")
    return 0


def add_commands(commands: CommandGroup) -> None:
    audit = commands.command(
        "audit",
        "The audit log, newest first: who did what, in which unit, with the details.",
        f"examples:\n  {PROG} audit --unit 龙阳街道 --since 2026-10-01\n"
        f"  {PROG} audit --kind broadcast --limit 20",
        cmd_audit,
    )
    audit.add_argument("--unit", default=None, help="a unit's code or name: it and below")
    audit.add_argument("--since", default=None, help="from this day (YYYY-MM-DD, local time)")
    audit.add_argument("--kind", default=None, help="an action's first part: broadcast, order …")
    audit.add_argument("--limit", type=int, default=100, help="how many to show (default 100)")
