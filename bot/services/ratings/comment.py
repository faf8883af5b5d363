"""The comment: once every row has its stars, the requester may say something in
their own words (at most ``comment_max`` characters; too long is refused with the
limit and the length, and the prompt stays open) or skip. Either hands the rating in:
the prompt is done, its messages lose their buttons, and a low rating alerts the
coordinators with the comment."""

from __future__ import annotations

from bot.services.kernel.dto import UserDTO
from bot.services.kernel.errors import NotFinished
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.validation import free_text
from bot.services.ratings.common import (
    FINISHED,
    OPEN,
    AlreadyRated,
    PromptView,
    RatingBase,
)
from storage.repositories import ratings as ratings_repo


class Comment(RatingBase):
    async def comment(
        self, actor: UserDTO, prompt_id: int, text: str | None, *, draft_of: int | None = None
    ) -> PromptView:
        """Hand the rating in with ``text`` (None: skipped). InvalidValue("comment",
        "too_long", max=, length=) when over the limit: nothing changes."""
        value = None if text is None else free_text(text, "comment", self.comment_max)
        now = self.clock.now()
        async with self.db.transaction() as session:
            prompt = await self._raters_prompt(session, actor, prompt_id, now)
            if prompt.state != OPEN:
                raise AlreadyRated()
            view = await self._view(session, prompt)
            if not view.rated:
                raise NotFinished("stars missing")
            await clear_draft(session, draft_of)  # its flow ends with it
            await ratings_repo.set_prompt(
                session, prompt.id, (OPEN,), state=FINISHED, comment=value, finished_at=now
            )
            fresh = await ratings_repo.prompt(session, prompt.id)
            assert fresh is not None
            view = await self._view(session, fresh)
            await self._alert(session, fresh, view)
            await self._close_messages(session, view, expired=False)
            return view
