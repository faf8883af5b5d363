"""``volunteer-bot run`` and ``volunteer-bot sandbox``: the bot on Telegram or against
a sandbox already running, and the local Bot API emulator, alone or with the bot.

``bot.app`` and ``sandbox`` are imported inside the commands, so the others start
faster and work on their own. The sandbox is the top-level package ``sandbox`` whose
server libraries come with the ``volunteer-bot[sandbox]`` extra; without them the
sandbox commands say so in one line.
"""

from __future__ import annotations

import argparse

from pydantic import SecretStr

from bot.cli.common import PROG, CommandError, CommandGroup, _load
from bot.config import Config

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
    _require_sandbox()
    from sandbox.sandbox import DEFAULT_TOKEN

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

# the sandbox package and the server libraries the `sandbox` extra installs
SANDBOX_MODULES = frozenset({"sandbox", "granian", "multipart", "aiohttp"})
SANDBOX_MISSING = (
    "the sandbox is not installed ({missing} is missing): "
    "pip install 'volunteer-bot[sandbox]' (or run make run, which installs it)"
)


def _require_sandbox() -> None:
    """Import the sandbox, or tell the operator how to install it (one line)."""
    try:
        import sandbox  # noqa: F401
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in SANDBOX_MODULES:
            raise
        raise CommandError(SANDBOX_MISSING.format(missing=missing)) from None


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
    _require_sandbox()
    _sandbox_banner(config.sandbox.host, config.sandbox.port, args.with_bot)
    from sandbox.http import PortInUse

    try:
        if args.with_bot:
            from bot.app import run_with_sandbox

            run_with_sandbox(config)
        else:
            from sandbox import run_forever

            run_forever(config.sandbox.host, config.sandbox.port)
    except PortInUse as exc:
        raise CommandError(
            exc.explain("--port N (or [sandbox] port in the configuration; 0: any free port)")
        ) from None
    return 0


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0–65535, got {value}")
    return value


# ---- the commands' arguments --------------------------------------------------------


def add_commands(commands: CommandGroup) -> None:
    run = commands.command(
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

    sandbox = commands.command(
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
