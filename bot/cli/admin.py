"""``volunteer-bot admin add``: bind a Telegram user as coordinator of a unit (an admin
at the district), the bootstrap of a fresh install.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.common import PROG, CommandError, CommandGroup, _database, _ensure_schema, _load, _run
from bot.container import Services
from bot.services.kernel.dto import UnitDTO
from bot.services.kernel.errors import InvalidValue

# ---- admin --------------------------------------------------------------------------


def _unit_label(unit: UnitDTO) -> str:
    return f"{unit.name_zh} / {unit.name_en} ({unit.code})"


async def _pick_unit(services: Services, name: str | None) -> UnitDTO:
    if name is None:
        roots = await services.org.roots()
        if not roots:
            raise CommandError(f"there are no units yet: run `{PROG} org import FILE` first")
        if len(roots) > 1:
            codes = ", ".join(u.code for u in roots)
            raise CommandError(f"there are {len(roots)} top-level units ({codes}): pick one --unit")
        return roots[0]
    try:
        unit = await services.org.find_unit(name)
    except InvalidValue as exc:
        if exc.reason != "ambiguous":
            raise
        found = exc.values.get("codes")
        codes = ", ".join(map(str, found)) if isinstance(found, list) else "?"
        raise CommandError(
            f"--unit {name!r} names several units: {codes}. Give the code instead."
        ) from None
    if unit is None:
        raise CommandError(
            f"--unit {name!r}: no unit has this code, Chinese or English name "
            f"(units come from the org file: `{PROG} org import FILE`)"
        )
    return unit


def cmd_admin_add(args: argparse.Namespace) -> int:
    config = _load(args)

    org_file = Path(config.org.file)
    imported: list[Any] = []

    async def work() -> Any:
        async with _database(config) as db:
            await _ensure_schema(config, db)
            from bot.app import build_services

            services = build_services(config, db)
            if not await services.org.roots() and config.org.import_on_start and org_file.exists():
                # a fresh database: the org file the bot would import on its first start
                imported.append(await services.org.import_file(org_file))
            unit = await _pick_unit(services, args.unit)
            return await services.coordinators.add_admin(args.telegram_id, unit.code, label="cli")

    appointment = _run(config, work())
    for report in imported:
        print(f"{org_file}: {report.created} units imported first (the database had none)")
    unit = appointment.coordinator.unit
    role = "admin (coordinator of the whole tree)" if unit.parent_id is None else "coordinator"
    previous = appointment.previous_unit
    who = f"Telegram user {args.telegram_id}"
    if previous is not None and previous.id == unit.id:
        print(f"{who} is already {role} of {_unit_label(unit)}; nothing changed")
    elif previous is not None:
        print(f"{who} is now {role} of {_unit_label(unit)}")
        print(f"  moved from {_unit_label(previous)} (recorded in the audit log)")
    else:
        print(f"{who} is now {role} of {_unit_label(unit)} (recorded in the audit log)")
    if not appointment.opened_bot:
        print(
            f"  {who} has not opened the bot yet. A bot cannot write first: they must open\n"
            "  it and send /start once before the bot can write to them. Until then their\n"
            "  notices are held (`volunteer-bot outbox status`), and delivered when they do."
        )
    return 0


def _telegram_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive Telegram user id, got {value}")
    return value


# ---- the command's arguments --------------------------------------------------------


def add_commands(commands: CommandGroup) -> None:
    admin_commands = commands.group(
        "admin",
        summary="Bootstrap admins: bind a Telegram user as coordinator of a unit.",
        description="Admins and coordinators from the command line.",
        epilog=f"examples:\n  {PROG} admin add 123456789 --unit 汉阳区",
    )
    admin_add = admin_commands.command(
        "add",
        "Bind a Telegram user as coordinator of a unit (an admin at the district).",
        "examples:\n"
        f"  {PROG} admin add 123456789                   # the district (the only root unit)\n"
        f"  {PROG} admin add 123456789 --unit 汉阳区\n"
        f"  {PROG} admin add 123456789 --unit longyang   # moves the binding to that street\n"
        f"  {PROG} admin add 123456789 --unit 'Longyang Subdistrict'\n"
        "\n"
        "A user has at most one unit: adding them again moves them. Every change is\n"
        "written to the audit log (actor: cli). The user does not need to have started\n"
        "the bot yet.",
        cmd_admin_add,
    )
    admin_add.add_argument(
        "telegram_id", metavar="TELEGRAM_ID", type=_telegram_id, help="the user's numeric id"
    )
    admin_add.add_argument(
        "--unit",
        metavar="NAME",
        help="unit code, or its exact Chinese or English name (default: the district)",
    )
