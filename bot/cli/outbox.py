"""``volunteer-bot outbox``: the state of the messages waiting to be sent, or a sender
(the same one the bot runs) to deliver them.
"""

from __future__ import annotations

import argparse

from bot.cli.common import PROG, CommandError, CommandGroup, _database, _ensure_schema, _load, _run

# ---- outbox ---------------------------------------------------------------------------


HELD_REASONS = {
    "blocked": "blocked the bot (or the account is gone)",
    "not_started": "never opened the bot (must send /start once)",
}


def cmd_outbox_status(args: argparse.Namespace) -> int:
    config = _load(args)

    async def work() -> str:
        async with _database(config) as db:
            await _ensure_schema(config, db)
            from bot.app import build_services

            report = await build_services(config, db).outbox.report()
        lines = ["outbox:"]
        for status in ("queued", "sending", "sent", "failed", "cancelled", "held"):
            lines.append(f"  {status:<10} {report.counts.get(status, 0)}")
        oldest = report.oldest_due.isoformat(timespec="seconds") if report.oldest_due else "-"
        lines.append(f"  oldest due {oldest}")
        if report.failures:
            lines.append("failed, by reason:")
            lines += [f"  {n:>7}  {reason or '(none)'}" for reason, n in report.failures]
        if report.held:
            lines.append("held until the person writes to the bot, by why they cannot be reached:")
            lines += [
                f"  {n:>7}  for {people} {'person' if people == 1 else 'people'}: "
                f"{HELD_REASONS.get(reason, reason or '(unknown)')}"
                for reason, people, n in report.held
            ]
        return "\n".join(lines)

    print(_run(config, work()))
    return 0


def cmd_outbox_send(args: argparse.Namespace) -> int:
    from bot.cli.send_worker import run_sender

    config = _load(args)
    if config.bot_token is None:
        raise CommandError("BOT_TOKEN is not set: the sender needs the bot's token", 2)

    async def work() -> str:
        async with _database(config) as db:
            await _ensure_schema(config, db)
        stats = await run_sender(config, until_idle=args.until_idle)
        return (
            f"sent {stats.sent}, failed {stats.failed}, retried {stats.retried}, "
            f"flood waits {stats.flood_waits}, held {stats.unreachable} (recipient unreachable)"
        )

    print(_run(config, work()))
    return 0


# ---- the command's arguments --------------------------------------------------------


def add_commands(commands: CommandGroup) -> None:
    outbox_commands = commands.group(
        "outbox",
        summary="Messages waiting to be sent: their state, or a sender to deliver them.",
        description="The outbox: every message that is not a direct reply goes through it.",
        epilog=f"examples:\n  {PROG} outbox status\n  BOT_TOKEN=... {PROG} outbox send",
    )
    outbox_commands.command(
        "status",
        "Queued, sending, sent, failed and held messages (failures by reason; held ones, "
        "for people the bot cannot reach, by why), oldest due.",
        f"examples:\n  {PROG} outbox status",
        cmd_outbox_status,
    )
    send = outbox_commands.command(
        "send",
        "Run a sender (the same one the bot runs) until stopped, or until nothing is due.",
        f"examples:\n  BOT_TOKEN=... {PROG} outbox send              # an extra delivery worker\n"
        f"  BOT_TOKEN=... {PROG} outbox send --until-idle # drain what is due, then exit",
        cmd_outbox_send,
    )
    send.add_argument(
        "--until-idle",
        action="store_true",
        help="exit when no message is due (default: run until SIGTERM)",
    )
