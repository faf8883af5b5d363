"""``volunteer-bot check-config``: validate a configuration file and its [org] file,
and summarise them, without touching the database or Telegram.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import PROG, CommandGroup, _org_summary, describe_database
from bot.config import Config, ConfigError, load_config
from bot.services.org.org_file import OrgFileError, parse_org_file

# ---- check-config -------------------------------------------------------------------


def _check_org(config: Config) -> str:
    """Parse the [org] file; the summary line, or a ConfigError naming ``[org] file``."""
    if not config.org.file:
        if config.org.import_on_start:
            raise ConfigError(f"{config.source}: [org] file: empty, but import_on_start is true")
        return "(none)"
    path = Path(config.org.file)
    try:
        org = parse_org_file(path)
    except OrgFileError as exc:
        where = "" if path.is_absolute() else f" (relative to {Path.cwd()})"
        raise ConfigError(f"{config.source}: [org] file{where}: {exc}") from None
    if config.admins.unit:
        codes = {e.code for e in (org.district, *org.street, *org.community, *org.grid)}
        if config.admins.unit not in codes:
            raise ConfigError(
                f"{config.source}: [admins] unit: no unit has the code "
                f"{config.admins.unit!r} in {path}"
            )
    return f"{path} ({_org_summary(org)})"


def cmd_check_config(args: argparse.Namespace) -> int:
    config = load_config(args.file or args.config)
    org = _check_org(config)
    where = "Telegram" if config.uses_telegram else "not Telegram: self-hosted or sandbox"
    token = "set" if config.bot_token else "not set"
    if config.bot_token is None and config.uses_telegram:
        token += f" (`{PROG} run` needs it; `{PROG} sandbox --with-bot` does not)"
    print(f"OK: {config.source}")
    print(f"  database:  {describe_database(config.database.url)}")
    print(f"  Bot API:   {config.telegram.base_url} ({where})")
    print(f"  timezone:  {config.general.timezone}")
    print(f"  language:  {config.general.default_language}")
    print(f"  org file:  {org}")
    print(f"  BOT_TOKEN: {token}")
    return 0


# ---- the command's arguments --------------------------------------------------------


def add_commands(commands: CommandGroup) -> None:
    check = commands.command(
        "check-config",
        "Validate a configuration file and its [org] file, and summarise it.",
        "examples:\n"
        f"  {PROG} check-config config.toml\n"
        f"  {PROG} check-config                     # the file the bot would use\n"
        "\n"
        "Exit status 0 when valid, 1 with the offending key named when not.",
        cmd_check_config,
    )
    check.add_argument(
        "file", metavar="FILE", nargs="?", help="the file to check (default: as --config)"
    )
