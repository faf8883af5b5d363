"""Rating: the requester presses the stars of one row of the prompt. Only the
requester of that order, once per volunteer (a second press changes nothing and says
so), never after the prompt expired; forged ids are NotFound. The ``on_rated`` hooks
run in the rating's transaction."""

from __future__ import annotations

from bot.services.kernel.dto import UserDTO
from bot.services.kernel.errors import NotFound
from bot.services.ratings.common import (
    OPEN,
    AlreadyRated,
    PromptView,
    RatingBase,
)
from storage.repositories import ratings as ratings_repo

TEAM_ROW = 0  # the claim id a team row's buttons carry


class Rating(RatingBase):
    async def rate(self, actor: UserDTO, prompt_id: int, claim_id: int, stars: int) -> PromptView:
        """``stars`` (1–5) for the volunteer of ``claim_id`` (or, on a team prompt,
        :data:`TEAM_ROW`: for every volunteer who served). The prompt as it is now."""
        if not 1 <= stars <= 5:
            raise NotFound("stars")
        now = self.clock.now()
        async with self.db.transaction() as session:
            prompt = await self._raters_prompt(session, actor, prompt_id, now)
            view = await self._view(session, prompt)
            if prompt.team != (claim_id == TEAM_ROW):
                raise NotFound("claim")
            targets = [p for p in view.places if prompt.team or p.claim_id == claim_id]
            if not targets:
                raise NotFound("claim")
            if prompt.state != OPEN or any(p.stars is not None for p in targets):
                raise AlreadyRated()
            inserted = await ratings_repo.insert_ratings(
                session,
                [
                    {
                        "prompt_id": prompt.id,
                        "order_id": prompt.order_id,
                        "claim_id": p.claim_id,
                        "volunteer_id": p.volunteer_id,
                        "stars": stars,
                        "team": prompt.team,
                        "created_at": now,
                    }
                    for p in targets
                ],
            )
            if not inserted:
                raise AlreadyRated()
            for place in targets:
                if place.claim_id in inserted:
                    for hook in self.on_rated:
                        await hook(session, place.claim_id, place.volunteer_id, stars)
            view = await self._view(session, prompt)
            if view.rated:
                await self._plan_alert(session, view)
            return view
