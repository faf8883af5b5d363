"""Logging for the operator's console: one format, and the chatty libraries quieted."""

from __future__ import annotations

import logging
import sys

# one line per HTTP request, per migration step, per one-second scheduler tick is noise
QUIET_AT_INFO = ("httpx", "alembic", "apscheduler")


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger().setLevel(level)
    if level != "DEBUG":
        for noisy in QUIET_AT_INFO:
            logging.getLogger(noisy).setLevel(logging.WARNING)
