"""A rating at or below ``[ratings] alert_at_or_below`` alerts the order's
coordinators (the nearest unit at or above its community that has any, as for other
order notices) with the stars, the volunteer and the comment, and a button to the
order's card. Once per prompt (``alerted_at``, set by one conditional update): when
the comment is given or skipped, or — the resident never answering the comment
question — by the fallback job ``alert_fallback`` after the last stars, or at expiry."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.people.recipients import nearest_coordinators
from bot.services.ratings.common import ALERT_JOB, PromptView, RatingBase, job_key
from bot.services.ratings.notices import LowRating
from storage.models import RatingPrompt
from storage.repositories import org as org_repo
from storage.repositories import ratings as ratings_repo


class Alerts(RatingBase):
    def _low(self, view: PromptView) -> tuple[tuple[str, int], ...]:
        return tuple(
            (p.name, p.stars)
            for p in view.places
            if p.stars is not None and p.stars <= self.alert_at_or_below
        )

    async def _plan_alert(self, session: AsyncSession, view: PromptView) -> None:
        """Every row rated: if one is low, the fallback alert is planned."""
        if self._low(view):
            await self.scheduler.schedule(
                session,
                ALERT_JOB,
                job_key(view.order.id, "alert"),
                self.clock.now() + self.alert_fallback,
                prompt=view.id,
            )

    async def _alert(self, session: AsyncSession, prompt: RatingPrompt, view: PromptView) -> None:
        low = self._low(view)
        if not low or not await ratings_repo.mark_alerted(session, prompt.id, self.clock.now()):
            return
        unit = await org_repo.unit(session, view.order.community_id)
        assert unit is not None
        for coordinator in await nearest_coordinators(session, unit.path, self.default_language):
            await self.notifier.notify(session, LowRating(coordinator, view, low))

    async def alert_job(self, session: AsyncSession, prompt_id: int) -> None:
        """The fallback: rated low, no answer to the comment question yet."""
        prompt = await ratings_repo.prompt(session, prompt_id, for_update=True)
        if prompt is None or prompt.alerted_at is not None:
            return
        view = await self._view(session, prompt)
        if view.rated:
            await self._alert(session, prompt, view)
