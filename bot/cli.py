"""The ``volunteer-bot`` command: load the configuration, then run the bot, the local
sandbox, migrations, the org import, admin bootstrap or a configuration check.

Operator mistakes (a bad configuration or org file, an unknown unit, a database that
cannot be reached) are printed as one message on stderr with exit status 1; usage
errors exit with 2. Anything else is a bug and keeps its traceback.

``bot.app``, ``bot.sandbox`` and the migrations (Alembic) are imported inside the
commands that need them, so the others start faster and work on their own.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot import event_loop
from bot.config import Config, ConfigError, load_config
from bot.logs import setup_logging
from bot.services import Services
from bot.services.dto import UnitDTO
from bot.services.errors import DomainError, InvalidValue
from bot.services.org_file import OrgFile, OrgFileError, parse_org_file
from storage.database import Database, create_engine

PROG = "volunteer-bot"
T = TypeVar("T")
log = logging.getLogger(__name__)


class CommandError(Exception):
    """A failure explained for the operator: printed without a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# ---- shared helpers ---------------------------------------------------------------


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


def _unit_label(unit: UnitDTO) -> str:
    return f"{unit.name_zh} / {unit.name_en} ({unit.code})"


# ---- run ----------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    config = _load(args)
    if args.sandbox is not None:
        config = _against_sandbox(config, args.sandbox)
    elif config.uses_telegram and config.bot_token is None:
        raise CommandError(
            "BOT_TOKEN is not set, and the Bot API address is Telegram's "
            f"({config.telegram.base_url}).\n"
            "  To run on Telegram: BOT_TOKEN=<token from @BotFather> volunteer-bot run\n"
            "  To try the bot without Telegram: make run  (or: volunteer-bot sandbox --with-bot)",
            exit_code=2,
        )
    from bot.app import run

    run(config)
    return 0


def _against_sandbox(config: Config, address: str) -> Config:
    """The configuration with the Bot API of a sandbox already running at ``address``
    (``http://host:port``; "" for ``[sandbox] host/port``) and the sandbox's own token:
    the bot can be stopped and started again while the sandbox keeps its chats."""
    from bot.sandbox.sandbox import DEFAULT_TOKEN

    url = (address or f"http://{config.sandbox.host}:{config.sandbox.port}").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise CommandError(f"--sandbox {address!r}: give the sandbox's address, http://host:port")
    print(f"the bot against the sandbox at {url} (not Telegram)", flush=True)
    return config.model_copy(
        update={
            "bot_token": SecretStr(DEFAULT_TOKEN),
            "telegram": config.telegram.model_copy(
                update={"base_url": f"{url}/bot", "base_file_url": f"{url}/file/bot"}
            ),
        }
    )


# ---- sandbox ------------------------------------------------------------------------


def _sandbox_banner(host: str, port: int, with_bot: bool) -> None:
    address = f"http://{host}:{port}" if port else f"http://{host}:<a free port>"
    lines = [
        "=" * 72,
        "LOCAL SANDBOX: a Bot API emulator on this machine. This is NOT Telegram;",
        "nothing is sent to Telegram and no bot token is needed.",
        f"  emulator: {address}",
    ]
    if with_bot:
        lines.append("  the bot is started against the emulator, not api.telegram.org")
    lines += ["Stop with Ctrl+C.", "=" * 72]
    print("\n".join(lines), flush=True)


def cmd_sandbox(args: argparse.Namespace) -> int:
    overrides = {
        key: value for key, value in (("host", args.host), ("port", args.port)) if value is not None
    }
    config = _load(args, {"sandbox": overrides} if overrides else None)
    _sandbox_banner(config.sandbox.host, config.sandbox.port, args.with_bot)
    from bot.sandbox.http import PortInUse

    try:
        if args.with_bot:
            from bot.app import run_with_sandbox

            run_with_sandbox(config)
        else:
            from bot.sandbox import run_forever

            run_forever(config.sandbox.host, config.sandbox.port)
    except PortInUse as exc:
        raise CommandError(
            exc.explain("--port N (or [sandbox] port in the configuration; 0: any free port)")
        ) from None
    return 0


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


# ---- org ----------------------------------------------------------------------------


def _org_summary(org: OrgFile) -> str:
    return (
        f"1 district, {len(org.street)} streets, {len(org.community)} communities, "
        f"{len(org.grid)} grids, {len(org.team)} teams"
    )


def cmd_org_import(args: argparse.Namespace) -> int:
    config = _load(args)
    path = Path(args.file)
    org = parse_org_file(path)  # a bad file fails here, before the database is touched

    async def work() -> Any:
        async with _database(config) as db:
            await _ensure_schema(config, db)
            return await Services.build(config, db).org.import_file(path)

    report = _run(config, work())
    print(f"{path} ({_org_summary(org)}) -> {describe_database(config.database.url)}")
    print(f"  units: {report.created} created, {report.updated} updated, ", end="")
    print(f"{report.unchanged} unchanged")
    print(f"  teams: {report.teams_created} created, {report.teams_updated} updated")
    print(f"  categories: {report.categories_created} created, {report.categories_updated} updated")
    if not report.changed:
        print("  nothing changed")
    return 0


# ---- admin --------------------------------------------------------------------------


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
            services = Services.build(config, db)
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


# ---- the parser ---------------------------------------------------------------------


def _telegram_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive Telegram user id, got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0–65535, got {value}")
    return value


_CONFIG_HELP = (
    "configuration file (default: $VOLUNTEER_BOT_CONFIG, else ./config.toml if present, "
    "else built-in defaults)"
)


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
            report = await Services.build(config, db).outbox.report()
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
    from bot.delivery.worker import run_sender

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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        group: Any, name: str, summary: str, epilog: str, func: Callable[..., int]
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = group.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=epilog,
            parents=[common],
            formatter_class=fmt,
        )
        sub.set_defaults(func=func)
        return sub

    run = command(
        commands,
        "run",
        "Run the bot on Telegram with long polling (needs BOT_TOKEN).",
        "examples:\n"
        f"  BOT_TOKEN=123456:ABC-DEF {PROG} run\n"
        f"  BOT_TOKEN=... {PROG} --config /etc/volunteer-bot.toml run\n"
        "\n"
        "Without a token, try the bot against the local emulator instead:\n"
        f"  make run   (or: {PROG} sandbox --with-bot)\n"
        "or run the emulator and the bot as two processes, so that the bot can be\n"
        "restarted while the emulator keeps its chats:\n"
        f"  {PROG} sandbox                      # terminal 1\n"
        f"  {PROG} run --sandbox                # terminal 2 (Ctrl+C, start again …)",
        cmd_run,
    )
    run.add_argument(
        "--sandbox",
        nargs="?",
        const="",
        metavar="URL",
        help="run against a sandbox already running at URL (default: [sandbox] host/port), "
        "with its token, instead of Telegram",
    )

    sandbox = command(
        commands,
        "sandbox",
        "Start the local Bot API emulator (not Telegram), alone or with the bot.",
        "examples:\n"
        f"  {PROG} sandbox --with-bot              # the bot + emulator + web chat page\n"
        f"  {PROG} sandbox --port 9000             # the emulator alone\n"
        f"  {PROG} sandbox --host 0.0.0.0 --with-bot\n"
        "\n"
        "Defaults come from [sandbox] host/port in the configuration.",
        cmd_sandbox,
    )
    sandbox.add_argument("--host", help="address to listen on (default: [sandbox] host)")
    sandbox.add_argument(
        "--port", type=_port, help="port to listen on, 0 = any free (default: [sandbox] port)"
    )
    sandbox.add_argument(
        "--with-bot", action="store_true", help="also run the bot against the emulator"
    )

    db = commands.add_parser(
        "db",
        help="Database schema: upgrade to the latest revision, or show the current one.",
        description="Database schema migrations (Alembic) on [database] url / DATABASE_URL.",
        epilog=(
            f"examples:\n  {PROG} db upgrade\n"
            f"  DATABASE_URL=postgresql://u@host/db {PROG} db current"
        ),
        formatter_class=fmt,
        parents=[common],
    )
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    command(
        db_commands,
        "upgrade",
        "Migrate the database to the latest schema revision (safe to repeat).",
        "examples:\n"
        f"  {PROG} db upgrade\n"
        f"  DATABASE_URL=postgresql://bot@db.example/volunteers {PROG} db upgrade",
        cmd_db_upgrade,
    )
    command(
        db_commands,
        "current",
        "Show the database's schema revision and whether it is up to date.",
        f"examples:\n  {PROG} db current",
        cmd_db_current,
    )

    org = commands.add_parser(
        "org",
        help="Organisation units and specialty teams: import the org file.",
        description="The organisation tree (district, streets, communities, grids) and teams.",
        epilog=f"examples:\n  {PROG} org import orgs.example.toml",
        formatter_class=fmt,
        parents=[common],
    )
    org_commands = org.add_subparsers(dest="org_command", metavar="ACTION", required=True)
    org_import = command(
        org_commands,
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

    admin = commands.add_parser(
        "admin",
        help="Bootstrap admins: bind a Telegram user as coordinator of a unit.",
        description="Admins and coordinators from the command line.",
        epilog=f"examples:\n  {PROG} admin add 123456789 --unit 汉阳区",
        formatter_class=fmt,
        parents=[common],
    )
    admin_commands = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    admin_add = command(
        admin_commands,
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

    outbox = commands.add_parser(
        "outbox",
        help="Messages waiting to be sent: their state, or a sender to deliver them.",
        description="The outbox: every message that is not a direct reply goes through it.",
        epilog=f"examples:\n  {PROG} outbox status\n  BOT_TOKEN=... {PROG} outbox send",
        formatter_class=fmt,
        parents=[common],
    )
    outbox_commands = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    command(
        outbox_commands,
        "status",
        "Queued, sending, sent, failed and held messages (failures by reason; held ones, "
        "for people the bot cannot reach, by why), oldest due.",
        f"examples:\n  {PROG} outbox status",
        cmd_outbox_status,
    )
    send = command(
        outbox_commands,
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

    check = command(
        commands,
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
    return parser


def _domain_message(exc: DomainError) -> str:
    if isinstance(exc, InvalidValue):
        details = ", ".join(f"{k}={v!r}" for k, v in exc.values.items())
        return f"invalid {exc.field} ({exc.reason}){': ' + details if details else ''}"
    return f"{exc.code}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        result: int = args.func(args)
        return result
    except CommandError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (ConfigError, OrgFileError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except DomainError as exc:
        print(f"{PROG}: error: {_domain_message(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
