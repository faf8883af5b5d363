"""Asking: when an order completes (AttendanceBase.on_completed, in the completing
transaction) its prompt is created and its jobs planned — asked ``prompt_after``
later, reminded ``remind_after`` after that if stars are still missing, expired
``expire_after`` after asking. Created once per order (UNIQUE(order_id)): a
completion hook that runs twice plans nothing more. Each job re-reads the prompt, so
one that runs twice, or late after downtime, is harmless."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import OrderDTO
from bot.services.people.recipients import recipient
from bot.services.ratings.common import (
    ASK_JOB,
    DONE,
    EXPIRE_JOB,
    EXPIRED,
    FINISHED,
    OPEN,
    REMIND_JOB,
    TEAM_MAX,
    PromptView,
    RatingBase,
    ask_key,
    job_key,
    remind_key,
)
from bot.services.ratings.notices import RatingAsked, RatingClosed
from storage.models import RatingPrompt
from storage.repositories import attendance as attendance_repo
from storage.repositories import outbox as outbox_repo
from storage.repositories import ratings as ratings_repo


class Prompting(RatingBase):
    async def plan(self, session: AsyncSession, order: OrderDTO) -> None:
        """AttendanceBase.on_completed: the order's prompt and its three jobs. An
        activity (published by the coordinator who made it, without review) has no
        resident to ask."""
        if order.reviewed_by_id == order.requester_id:
            return
        served = await attendance_repo.count_in_states(session, order.id, (DONE,))
        if not served:
            return
        now = self.clock.now()
        asked = now + self.prompt_after
        prompt_id = await ratings_repo.insert_prompt(
            session,
            order_id=order.id,
            rater_id=order.requester_id,
            state=OPEN,
            team=served > TEAM_MAX,
            asked_at=asked,
            expires_at=asked + self.expire_after,
            created_at=now,
        )
        if prompt_id is None:  # planned already: the completion was seen before
            return
        for kind, what, at in (
            (ASK_JOB, "ask", asked),
            (REMIND_JOB, "remind", asked + self.remind_after),
            (EXPIRE_JOB, "expire", asked + self.expire_after),
        ):
            await self.scheduler.schedule(
                session, kind, job_key(order.id, what), at, prompt=prompt_id
            )

    async def _open(self, session: AsyncSession, prompt_id: int) -> RatingPrompt | None:
        prompt = await ratings_repo.prompt(session, prompt_id, for_update=True)
        if prompt is None or prompt.state != OPEN or self.clock.now() >= prompt.expires_at:
            return None
        return prompt

    async def ask_job(self, session: AsyncSession, prompt_id: int) -> None:
        """The prompt's time: the requester is asked (in their language)."""
        prompt = await self._open(session, prompt_id)
        if prompt is None:
            return
        view = await self._view(session, prompt)
        if not view.rated and view.places:
            to = await recipient(session, prompt.rater_id, self.default_language)
            await self.notifier.notify(session, RatingAsked(to, view))

    async def remind_job(self, session: AsyncSession, prompt_id: int) -> None:
        """Once, while stars are still missing: the same question again."""
        prompt = await self._open(session, prompt_id)
        if prompt is None or prompt.reminded_at is not None:
            return
        view = await self._view(session, prompt)
        if view.rated or not view.places:
            return
        await ratings_repo.set_prompt(session, prompt.id, (OPEN,), reminded_at=self.clock.now())
        to = await recipient(session, prompt.rater_id, self.default_language)
        await self.notifier.notify(session, RatingAsked(to, view, reminder=True))

    async def expire_job(self, session: AsyncSession, prompt_id: int) -> None:
        """The prompt's end: still open, it is over — done if every row has its stars
        (the comment never came: the low rating alerted now, if not yet), else
        expired; its messages lose their buttons."""
        prompt = await ratings_repo.prompt(session, prompt_id, for_update=True)
        if prompt is None or prompt.state != OPEN:
            return
        view = await self._view(session, prompt)
        state = FINISHED if view.rated else EXPIRED
        now = self.clock.now()
        await ratings_repo.set_prompt(session, prompt.id, (OPEN,), state=state, finished_at=now)
        fresh = await ratings_repo.prompt(session, prompt.id)
        assert fresh is not None
        view = await self._view(session, fresh)
        if view.rated:
            await self._alert(session, fresh, view)
        await self._close_messages(session, view, expired=not view.rated)

    async def _close_messages(self, session: AsyncSession, view: PromptView, expired: bool) -> None:
        """The prompt's message and its reminder without buttons (one still queued is
        not sent at all)."""
        prompt = await ratings_repo.prompt(session, view.id)
        assert prompt is not None
        to = await recipient(session, prompt.rater_id, self.default_language)
        for key in (ask_key(view.id), remind_key(view.id)):
            if await outbox_repo.cancel(session, key):
                continue
            message_id = await outbox_repo.sent_message_id(session, key)
            if message_id is not None:
                notice = RatingClosed(to, view, key, message_id, expired)
                await self.notifier.notify(session, notice)
