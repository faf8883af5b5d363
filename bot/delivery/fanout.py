"""The fan-out: writes running campaigns' recipients to the outbox, a page at a time
(bot/services/fanout/campaigns.py), beside the sender.

It is a loop of its own beside the sender rather than a durable job: a job runs in one
transaction committed with its "done", and a campaign of 123,000 recipients is 123
short ones, each resumable on its own; the campaign row is its durable state (its
cursor), so nothing else needs to survive a restart. It looks when woken (publishing
wakes the sender, which wakes it: bot/background.py ``wake_sender``), at start (a
campaign a crash interrupted carries on from its cursor), and every ``[delivery]
poll_seconds`` (campaigns another process started). After each page it wakes the
sender, so the first recipients are being sent while the last are still written.

Several processes may run it against one database: each page's cursor moves by
compare-and-set, so a page two of them read is written by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from bot.services.fanout.campaigns import CampaignService, Page

log = logging.getLogger(__name__)


class Fanout:
    def __init__(
        self,
        campaigns: CampaignService,
        poll_seconds: float,
        on_page: Callable[[], None] = lambda: None,
    ) -> None:
        self.campaigns = campaigns
        self.poll_seconds = poll_seconds
        self.on_page = on_page
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A campaign may have been started: look now instead of at the next poll."""
        self._wake.set()

    def _page(self, page: Page) -> None:
        if page.written:
            self.on_page()

    async def drain(self) -> int:
        """Write every running campaign's recipients now (for the CLI and tests)."""
        return await self.campaigns.materialise(self._page)

    async def run(self) -> None:
        """Until cancelled (a page half done is rolled back and written again later)."""
        while True:
            self._wake.clear()
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: the cursor waits
                log.exception("fan-out: could not write a campaign's page; trying again")
            # asyncio.timeout, not wait_for (see the sender's claim loop: CPython gh-86296)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()
