"""The draft of the comment question that follows the last stars."""

from __future__ import annotations

from bot.services.kernel.drafts import Draft


class CommentDraft(Draft):
    prompt: int | None = None
    number: str | None = None  # the order's, as shown
