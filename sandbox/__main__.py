"""``python -m sandbox``: run the emulator alone.

    python -m sandbox --port 0 --rate 1000 --log-limit 0

prints ``SANDBOX_URL=http://127.0.0.1:PORT`` on stdout once it listens. Flood limits are off
unless one of ``--rate``/``--chat-rate``/``--group-rate``/``--paid-rate`` is given; then the
others take Telegram's figures (30/s, 1/s per chat, 20/min per group, 1000/s paid) unless
given too (0 lifts one).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sandbox.http import PortInUse
from sandbox.rate_limits import RateLimits
from sandbox.runner import run_forever


def rate_limits_from(args: argparse.Namespace) -> RateLimits | None:
    """The flood limits the command line asks for (None: none given, so none enforced)."""
    given = {
        "overall_per_s": args.rate,
        "per_chat_per_s": args.chat_rate,
        "per_chat_burst": args.chat_burst,
        "per_group_per_min": args.group_rate,
        "paid_per_s": args.paid_rate,
    }
    chosen = {k: v for k, v in given.items() if v is not None}
    if not chosen.keys() - {"per_chat_burst"}:
        return None
    return RateLimits(**chosen)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0: any free port")
    parser.add_argument("--spec", type=Path, default=None, help="Bot API api.json")
    limits = parser.add_argument_group("flood limits (429 past them; off unless given)")
    limits.add_argument("--rate", type=float, help="messages/s per bot overall (Telegram: 30)")
    limits.add_argument("--chat-rate", type=float, help="messages/s per private chat (1)")
    limits.add_argument("--chat-burst", type=int, help="burst per private chat (3)")
    limits.add_argument("--group-rate", type=float, help="messages/min per group (20)")
    limits.add_argument("--paid-rate", type=float, help="allow_paid_broadcast messages/s (1000)")
    parser.add_argument(
        "--log-limit",
        type=int,
        default=None,
        help="keep only the last N requests in the request log (0: none; default: all)",
    )
    parser.add_argument(
        "--open-chats",
        action="store_true",
        help="every positive chat id is a user who has started the bot (for benchmarks)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="log warnings only (the SANDBOX_URL line stays)"
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        run_forever(
            args.host,
            args.port,
            args.spec,
            rate_limits=rate_limits_from(args),
            log_limit=args.log_limit,
            open_chats=args.open_chats,
        )
    except PortInUse as exc:
        sys.exit(f"python -m sandbox: error: {exc.explain('--port N (0: any free port)')}")


if __name__ == "__main__":
    main()
