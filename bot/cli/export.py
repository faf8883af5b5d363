"""``volunteer-bot export KIND --month YYYY-MM``: a unit's month as CSV or XLSX — hours
and points per volunteer, orders per state and category, ratings per volunteer — the
same table a coordinator gets with /report in the chat.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.admin import _pick_unit
from bot.cli.common import PROG, CommandError, CommandGroup, _database, _ensure_schema, _load, _run
from bot.i18n import LANGUAGES, get_translator
from bot.messages.exports import FORMATS, as_file, filename
from bot.services.kernel.errors import InvalidValue
from bot.services.reports.exports import KINDS, month_of


def cmd_export(args: argparse.Namespace) -> int:
    config = _load(args)
    try:
        month = month_of(args.month)
    except InvalidValue:
        raise CommandError(f"--month {args.month!r}: give it as YYYY-MM, e.g. 2026-10") from None
    language = args.language or config.general.default_language
    tr = get_translator(language)

    async def work() -> tuple[bytes, str, int]:
        async with _database(config) as db:
            await _ensure_schema(config, db)
            from bot.app import build_services

            services = build_services(config, db)
            unit = await _pick_unit(services, args.unit)
            table = await services.exports.table(None, args.kind, month, unit.id)
        return as_file(tr, table, args.format), filename(tr, table, args.format), len(table.rows)

    data, name, count = _run(config, work())
    if args.out == "-":
        sys.stdout.buffer.write(data)
        return 0
    out = Path(args.out or name)
    out.write_bytes(data)
    print(f"{out}: {count} rows ({args.kind}, {args.month}, {args.format})", file=sys.stderr)
    return 0


def add_commands(commands: CommandGroup) -> None:
    export = commands.command(
        "export",
        "A unit's month as CSV or XLSX: hours, points, orders or ratings.",
        f"examples:\n  {PROG} export hours --month 2026-10 --unit 龙阳街道 --format xlsx\n"
        f"  {PROG} export orders --month 2026-10 --format csv --out -   # to stdout",
        cmd_export,
    )
    export.add_argument("kind", choices=KINDS, help="what to export")
    export.add_argument("--month", required=True, help="the month, YYYY-MM (in [general] timezone)")
    export.add_argument(
        "--unit", default=None, help="a unit's code or name (default: the district)"
    )
    export.add_argument("--format", choices=FORMATS, default="xlsx", help="csv or xlsx (default)")
    export.add_argument(
        "--out",
        default=None,
        help="the file to write (default: a name from the unit, kind and month; - for stdout)",
    )
    export.add_argument(
        "--language",
        choices=LANGUAGES,
        default=None,
        help="of the column titles (default: [general] default_language)",
    )
