"""``python -m bot.sandbox [--host H] [--port P] [--spec PATH]``: run the emulator alone."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from bot.sandbox.runner import run_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--spec", type=Path, default=None, help="Bot API api.json")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run_forever(args.host, args.port, args.spec)


if __name__ == "__main__":
    main()
