"""Broadcasts' progress rounds (bot/services/broadcasts/control.py ``report``) beside the
sender, in the bot and in each ``outbox send`` worker: one at start (a progress message
a restart interrupted carries on at once), then every ``[broadcasts] progress_every_s``;
the sender woken when a round queued an edit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.services.broadcasts.control import BroadcastControl

log = logging.getLogger(__name__)


async def progress_rounds(
    broadcasts: BroadcastControl, every_s: float, wake: Callable[[], None]
) -> None:
    """Until cancelled."""
    while True:
        try:
            if await broadcasts.report():
                wake()
        except asyncio.CancelledError:
            raise
        except Exception:  # the database away for a moment: the next round shows it
            log.exception("broadcast progress: could not report")
        await asyncio.sleep(every_s)
