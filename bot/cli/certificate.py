"""``volunteer-bot certificate verify SERIAL``: whose service-record certificate a
serial is, when it was issued, and the hours on it (as /verify answers in the chat).
"""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from bot.cli.common import PROG, CommandGroup, _database, _ensure_schema, _load, _run
from bot.services.recognition.certificates import Verified


def cmd_certificate_verify(args: argparse.Namespace) -> int:
    config = _load(args)

    async def work() -> Verified | None:
        async with _database(config) as db:
            await _ensure_schema(config, db)
            from bot.app import build_services

            return await build_services(config, db).certificates.verify(args.serial)

    found = _run(config, work())
    if found is None:
        print(f"{args.serial}: no certificate has this serial")
        return 1
    issued = found.issued_at.astimezone(ZoneInfo(config.general.timezone))
    unit = f"{found.unit.name_zh} / {found.unit.name_en}" if found.unit else "-"
    print(f"{found.serial}: genuine")
    print(f"  volunteer  {found.name}")
    print(f"  issued by  {unit}")
    print(f"  issued at  {issued:%Y-%m-%d %H:%M}")
    print(f"  hours      {found.minutes / 60:g} ({found.services} services)")
    return 0


def add_commands(commands: CommandGroup) -> None:
    group = commands.group(
        "certificate",
        summary="Service-record certificates (志愿服务记录证明): check a serial.",
        description="The service-record certificates volunteers get with /certificate.",
        epilog=f"examples:\n  {PROG} certificate verify HYZM2026ABCDEF2345",
    )
    verify = group.command(
        "verify",
        "Whose certificate a serial is, when it was issued, the hours on it (exit 1: none).",
        f"examples:\n  {PROG} certificate verify HYZM2026ABCDEF2345",
        cmd_certificate_verify,
    )
    verify.add_argument("serial", help="the serial printed on the certificate")
