"""The ``volunteer-bot`` command line: the top-level parser, its ``--config``, and the
commands in the order ``--help`` lists them; each command module declares its own.
"""

from __future__ import annotations

import argparse

from bot.cli import admin, audit, certificate, check_config, db, export, org, outbox, running
from bot.cli.common import PROG, CommandGroup

_CONFIG_HELP = (
    "configuration file (default: $VOLUNTEER_BOT_CONFIG, else ./config.toml if present, "
    "else built-in defaults)"
)


def build_parser() -> argparse.ArgumentParser:
    # --config is accepted before or after the command: `volunteer-bot db upgrade --config x`
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help=_CONFIG_HELP)
    fmt = argparse.RawDescriptionHelpFormatter

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A Telegram bot that runs a district's volunteer service.",
        formatter_class=fmt,
        epilog=(
            "examples:\n"
            f"  {PROG} check-config config.toml\n"
            f"  {PROG} db upgrade\n"
            f"  {PROG} org import orgs.example.toml\n"
            f"  {PROG} admin add 123456789 --unit 汉阳区\n"
            f"  {PROG} sandbox --with-bot          # try it in a browser, no token needed\n"
            f"  BOT_TOKEN=... {PROG} run           # on Telegram\n"
            "\n"
            "environment: BOT_TOKEN (the bot's token), DATABASE_URL (overrides [database] url),\n"
            "VOLUNTEER_BOT_CONFIG (the configuration file)."
        ),
    )
    parser.add_argument("--config", metavar="FILE", default=None, help=_CONFIG_HELP)
    commands = CommandGroup(
        parser.add_subparsers(dest="command", metavar="COMMAND", required=True), common
    )
    for add_commands in (
        running.add_commands,
        db.add_commands,
        org.add_commands,
        admin.add_commands,
        outbox.add_commands,
        export.add_commands,
        audit.add_commands,
        certificate.add_commands,
        check_config.add_commands,
    ):
        add_commands(commands)
    return parser
