"""A broadcast while it goes: its progress (for the coordinator's live message), and
pause, resume and cancel — each checked against the presser's rights as the database
has them now (a coordinator of the broadcast's unit or above; one removed meanwhile
has none).

Pausing stops the fan-out (its kind raises NotNow: the cursor waits) and moves the
copies already queued out of the sender's reach (due at :data:`PAUSED`), a bounded
batch per transaction; resuming makes them due again. Copies the sender had leased
before the pause still go: the in-flight bound (``[delivery] batch_size``); a page the
fan-out was writing as the pause committed is caught by the next progress round
(:meth:`BroadcastControl.report`), which pauses again what a paused broadcast still
has queued. Cancelling stops the campaign and cancels every copy not sent — also those
held for people the bot could not reach, who would otherwise get it when they next
write to the bot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.broadcasts.broadcasting import START_JOB, BroadcastService
from bot.services.broadcasts.notices import BroadcastProgressed
from bot.services.broadcasts.views import BroadcastDTO, Progress
from bot.services.kernel.clock import SystemClock
from bot.services.kernel.dto import Recipient, UserDTO
from bot.services.kernel.errors import AlreadyDecided, NotAllowed
from bot.services.kernel.scope import require_scope
from bot.services.people.users import effective_language
from storage.enums import BroadcastState, CampaignState, OutboxStatus
from storage.repositories import audit as audit_repo
from storage.repositories import broadcasts as broadcasts_repo
from storage.repositories import campaigns as campaigns_repo
from storage.repositories import users as users_repo

PAUSED = datetime(9999, 1, 1, tzinfo=UTC)  # a paused copy's due time: never, until resumed
BATCH = 1000  # copies moved per transaction
SENDING, IS_PAUSED = BroadcastState.SENDING.value, BroadcastState.PAUSED.value
SCHEDULED = BroadcastState.SCHEDULED.value
GOING = (SCHEDULED, SENDING, IS_PAUSED)


class BroadcastControl(BroadcastService):
    # ---- a coordinator's presses ------------------------------------------------------

    async def pause(self, actor: UserDTO, broadcast_id: int) -> Progress:
        await self._controlled(actor, broadcast_id)
        async with self.db.transaction() as session:
            if not await broadcasts_repo.set_state(session, broadcast_id, [SENDING], IS_PAUSED):
                raise AlreadyDecided("not sending")
            await self._audit(session, actor, broadcast_id, "broadcast.paused")
        await self._hold_queued(broadcast_id)
        return await self.progress(broadcast_id)

    async def resume(self, actor: UserDTO, broadcast_id: int) -> Progress:
        await self._controlled(actor, broadcast_id)
        async with self.db.transaction() as session:
            if not await broadcasts_repo.set_state(session, broadcast_id, [IS_PAUSED], SENDING):
                raise AlreadyDecided("not paused")
            await self._audit(session, actor, broadcast_id, "broadcast.resumed")
        # the held copies due again
        await self._move(
            await self._campaign_id(broadcast_id), due_from=PAUSED, due_at=SystemClock().now()
        )
        return await self.progress(broadcast_id)

    async def cancel(self, actor: UserDTO, broadcast_id: int) -> Progress:
        await self._controlled(actor, broadcast_id)
        now = self.clock.now()
        async with self.db.read() as session:
            row = await broadcasts_repo.get(session, broadcast_id)
            campaign = row.campaign_id if row is not None else None
        async with self.db.transaction() as session:
            if not await broadcasts_repo.set_state(
                session, broadcast_id, list(GOING), BroadcastState.CANCELLED.value, finished_at=now
            ):
                raise AlreadyDecided("already over")
            await self._audit(session, actor, broadcast_id, "broadcast.cancelled")
            await self.scheduler.cancel(session, f"{START_JOB}:{broadcast_id}")
            if campaign is not None:
                reason = "cancelled by a coordinator"
                await campaigns_repo.finish(session, campaign, CampaignState.STOPPED, now, reason)
        if campaign is not None:
            await self._move(
                campaign,
                status=OutboxStatus.CANCELLED.value,
                error="broadcast cancelled",
                of=(OutboxStatus.QUEUED.value, OutboxStatus.HELD.value),  # not later either
            )
        return await self.progress(broadcast_id)

    async def _audit(
        self, session: AsyncSession, actor: UserDTO, broadcast_id: int, action: str
    ) -> None:
        row = await broadcasts_repo.get(session, broadcast_id)
        await audit_repo.record(
            session,
            action=action,
            actor_id=actor.id,
            unit_id=row.unit_id if row is not None else None,
            target_kind="broadcast",
            target_id=broadcast_id,
        )

    async def controlled_progress(self, actor: UserDTO, broadcast_id: int) -> Progress:
        """The progress, for someone who may control the broadcast."""
        await self._controlled(actor, broadcast_id)
        return await self.progress(broadcast_id)

    async def _controlled(self, actor: UserDTO, broadcast_id: int) -> BroadcastDTO:
        """The broadcast, if ``actor`` coordinates its unit (or one above it) now."""
        dto = await self.one(broadcast_id)
        if dto is None:
            raise NotAllowed("no such broadcast")
        require_scope(actor, dto.unit.path)
        return dto

    async def _campaign_id(self, broadcast_id: int) -> int:
        async with self.db.read() as session:
            row = await broadcasts_repo.get(session, broadcast_id)
        assert row is not None and row.campaign_id is not None
        return row.campaign_id

    async def _hold_queued(self, broadcast_id: int) -> int:
        """The paused broadcast's queued copies out of the sender's reach."""
        campaign = await self._campaign_id(broadcast_id)
        return await self._move(campaign, due_before=PAUSED, due_at=PAUSED)

    async def _move(self, campaign_id: int, **how: Any) -> int:
        """The campaign's copies moved as ``how`` says (storage/repositories/broadcasts.py
        ``move_queued``), a batch per short transaction until none is left; how many."""
        moved = 0
        while True:
            async with self.db.transaction() as session:
                batch = await broadcasts_repo.move_queued(session, campaign_id, BATCH, **how)
            moved += batch
            if batch < BATCH:
                return moved

    # ---- progress ---------------------------------------------------------------------

    async def attach_progress(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        """The coordinator's message that shows the broadcast's progress (edited)."""
        async with self.db.transaction() as session:
            row = await broadcasts_repo.get(session, broadcast_id)
            if row is not None:
                row.progress_chat_id, row.progress_message_id = chat_id, message_id

    async def progress(self, broadcast_id: int) -> Progress:
        async with self.db.read() as session:
            row, dto = await self._one(session, broadcast_id)
            if row.campaign_id is None:  # scheduled, or cancelled before its time
                over = dto.state == BroadcastState.CANCELLED
                return Progress(dto, 0, over, (), self.clock.now())
            campaign = await campaigns_repo.get(session, row.campaign_id)
            failures = await broadcasts_repo.failure_reasons(session, row.campaign_id)
        written = campaign.recipients if campaign is not None else 0
        over = campaign is None or campaign.state != CampaignState.RUNNING.value
        finished = (over and not dto.figures.waiting) or dto.state == BroadcastState.CANCELLED
        return Progress(dto, written, finished, tuple(failures), self.clock.now())

    async def report(self) -> int:
        """One progress round: each going broadcast with a progress message gets that
        message edited to show its progress (queued; an unchanged progress is not
        edited again: the edit's key is what it shows). A broadcast found finished is
        marked done with this round; a paused one's copies queued since the pause are
        held again. How many edits were queued."""
        async with self.db.read() as session:
            rows = await broadcasts_repo.active_with_progress(session, self.clock.now())
            ids = [r.author_id for r in rows if r.author_id is not None]
            authors = {u.id: u for u in await users_repo.many(session, ids)}
        notices = []
        for row in rows:
            if row.state == IS_PAUSED:
                await self._hold_queued(row.id)
            progress = await self.progress(row.id)
            if progress.finished and row.state == SENDING:
                async with self.db.transaction() as session:
                    await broadcasts_repo.set_state(
                        session, row.id, [SENDING], BroadcastState.DONE.value,
                        finished_at=self.clock.now(),
                    )  # fmt: skip
                progress = await self.progress(row.id)
            author = authors.get(row.author_id or 0)
            language = (
                effective_language(author, self.default_language)
                if author is not None
                else self.default_language
            )
            assert row.progress_chat_id is not None and row.progress_message_id is not None
            to = Recipient(row.progress_chat_id, language)
            notices.append(BroadcastProgressed(to, progress, row.progress_message_id))
        async with self.db.transaction() as session:
            queued = [await self.notifier.notify(session, n) for n in notices]
        return sum(queued)
