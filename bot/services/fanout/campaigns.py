"""Campaigns: one notice for a whole audience, fanned out without holding the database.

The action that causes it (publishing an order) commits only the campaign — what
(``kind`` and its params: the order's id), to whom (an :mod:`audience` description),
at which priority — in its own transaction, whatever the audience's size
(:func:`start`). The delivery side then writes its recipients to the outbox a page at
a time (:meth:`CampaignService.step`, driven by bot/delivery/fanout.py):

1. outside any write transaction: the campaign, the next page of its audience (keyset:
   user ids after the cursor, ``[delivery] fanout_page`` of them), the notices its
   kind makes of them, and their words (each reader's language, the notifier's
   builders);
2. one short write transaction: the cursor moves from where it was read to the page's
   last user id (compare-and-set: another process that wrote this page first wins, and
   this one writes nothing) and the page's outbox rows are inserted in bulk, under the
   notices' own dedup keys. Both commit together, so a crash between pages resumes at
   the cursor with nobody told twice and nobody left out.

A kind says what its notice is for each page, read afresh; it answers ``None`` when
the campaign has nothing left to say (the order filled, was cancelled or started):
the campaign stops and the rest of its audience is not told; it raises
:class:`NotNow` while the campaign waits (a paused broadcast).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.fanout.audience import Audience, Member, audience_of
from bot.services.kernel.clock import Clock
from bot.services.kernel.notify import Notice, Notifier
from bot.services.kernel.scheduling import Outgoing, Scheduler
from storage.database import Database
from storage.enums import CampaignState
from storage.repositories import campaigns as campaigns_repo

log = logging.getLogger(__name__)

ORDER_ANNOUNCE = "order.announce"  # params: {"order": id}; audience: Volunteers


class NotNow(Exception):
    """Raised by a kind: the campaign waits (a paused broadcast) — nothing is written
    and its cursor stays where it is."""


# a kind: the notices for one page of members, or None when the campaign is over
# (``now``: when the page is written); runs in a read-only unit of work
Kind = Callable[
    [AsyncSession, dict[str, Any], Sequence[Member], datetime],
    Awaitable[Sequence[Notice] | None],
]


async def start(
    session: AsyncSession,
    kind: str,
    params: dict[str, Any],
    audience: Audience,
    priority: int,
    now: datetime,
) -> int:
    """A campaign, in the caller's transaction: one row, however large the audience.
    Its recipients are written once that transaction commits (wake the sender, which
    wakes the fan-out: bot/background.py ``wake_sender``)."""
    campaign = await campaigns_repo.insert(
        session,
        kind=kind,
        params=params,
        audience=audience.stored(),
        priority=priority,
        state=CampaignState.RUNNING.value,
        cursor=0,
        recipients=0,
        pages=0,
        created_at=now,
        updated_at=now,
    )
    return campaign.id


@dataclass(frozen=True)
class Page:
    """What one step did: ``written`` recipients; ``more`` when the campaign goes on."""

    written: int = 0
    more: bool = False
    lost: bool = False  # another process wrote this page first
    finished: bool = False  # the campaign ended with this step (done or stopped)

    @property
    def moved(self) -> bool:
        """Something happened: worth another round."""
        return bool(self.written) or self.lost or self.finished


class CampaignService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        notifier: Notifier,
        default_language: str,
        page_size: int = 1000,
    ) -> None:
        self.db = db
        self.clock = clock
        self.scheduler = scheduler
        self.notifier = notifier
        self.default_language = default_language
        self.page_size = page_size
        self._kinds: dict[str, Kind] = {}

    def register(self, name: str, kind: Kind) -> None:
        if name in self._kinds:
            raise ValueError(f"campaign kind {name!r} registered twice")
        self._kinds[name] = kind

    async def running(self) -> list[int]:
        async with self.db.read() as session:
            return await campaigns_repo.running(session)

    async def step(self, campaign_id: int) -> Page:
        """Write the campaign's next page of recipients (see the module's docstring)."""
        now = self.clock.now()
        async with self.db.read() as session:
            campaign = await campaigns_repo.get(session, campaign_id)
            if campaign is None or campaign.state != CampaignState.RUNNING.value:
                return Page()
            kind = self._kinds.get(campaign.kind)
            if kind is None:  # a newer version's kind: left for a process that knows it
                log.error("campaign %s: unknown kind %r, left running", campaign_id, campaign.kind)
                return Page()
            after, priority = campaign.cursor, campaign.priority
            members = await audience_of(campaign.audience).page(
                session, after, self.page_size, self.default_language
            )
            if not members:
                return await self._finish(campaign_id, CampaignState.DONE)
            try:
                notices = await kind(session, dict(campaign.params), members, now)
            except NotNow:
                return Page()
        if notices is None:
            reason = "nothing left to say (what it announces is no longer open)"
            return await self._finish(campaign_id, CampaignState.STOPPED, reason)
        # the words and the rows, before the write lock is taken
        rows = self.scheduler.rows(self._words(notices, priority), campaign_id)
        last = members[-1].user_id
        async with self.db.transaction() as session:
            if not await campaigns_repo.advance(
                session, campaign_id, after, last, len(members), now
            ):
                return Page(lost=True, more=True)
            await self.scheduler.enqueue_rows(session, rows)
            more = len(members) == self.page_size
            if not more:  # the audience's last page: done with it
                await campaigns_repo.finish(session, campaign_id, CampaignState.DONE, now)
        return Page(len(members), more, finished=not more)

    def _words(self, notices: Sequence[Notice], priority: int) -> list[tuple[str, Outgoing]]:
        """Each notice in its reader's words. A notice whose words depend on nothing but
        its reader's language (``SAME_WORDS``: an announcement, a broadcast's copy; its
        reader's user id is its ``volunteer_id``) is worded once per language for the
        page and addressed to each reader — the same message, without rendering it
        1,000 times."""
        worded: dict[tuple[type, str], Outgoing] = {}
        out = []
        for n in notices:
            if not getattr(n, "SAME_WORDS", False):
                out.append((n.key, replace(self.notifier.message(n), priority=priority)))
                continue
            model = worded.get((type(n), n.to.language))
            if model is None:
                model = replace(self.notifier.message(n), priority=priority)
                worded[(type(n), n.to.language)] = model
            reader = getattr(n, "volunteer_id")  # noqa: B009 (the SAME_WORDS contract)
            out.append((n.key, replace(model, chat_id=n.to.telegram_id, user_id=reader)))
        return out

    async def _finish(
        self, campaign_id: int, state: CampaignState, reason: str | None = None
    ) -> Page:
        async with self.db.transaction() as session:
            await campaigns_repo.finish(session, campaign_id, state, self.clock.now(), reason)
        return Page(finished=True)

    async def materialise(self, on_page: Callable[[Page], None] | None = None) -> int:
        """Write every running campaign's recipients, a page of each in turn (so a
        small announcement is not stuck behind a district-wide one), until none moves
        any more; how many recipients were written. ``on_page`` is called after each
        page."""
        written = 0
        moved = True
        while moved:
            moved = False
            for campaign_id in await self.running():
                page = await self.step(campaign_id)
                written += page.written
                moved = moved or page.moved
                if on_page is not None:
                    on_page(page)
        return written
