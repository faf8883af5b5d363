"""A request turned down: rejected (with a reason) or marked a duplicate (of another
order, by its number)."""

from __future__ import annotations

import re

from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import DomainError, InvalidValue
from bot.services.requests.drafts import ReviewDraft
from handlers.flows.engine import Flow, Step
from handlers.flows.turn import Turn
from handlers.requests.review_outcome import decided

REJECT = "review_reject"
DUPLICATE = "review_duplicate"


def _order(turn: Turn) -> int:
    return needed(turn.draft_as(ReviewDraft).order, "order")


class ReasonStep(Step):
    name = "reason"

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("review.ask_reason"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        try:
            order = await turn.services.orders.reject(
                turn.me, _order(turn), text, draft_of=turn.me.id
            )
        except DomainError as error:
            await turn.refused(error)
            return
        await decided(turn, "review.rejected", order.number)


class DuplicateStep(Step):
    name = "original"

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("review.ask_duplicate"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        digits = re.sub(r"\D", "", text)
        if not digits or len(digits) > 12:
            raise InvalidValue("duplicate_of", "not_found")
        try:
            order = await turn.services.orders.mark_duplicate(
                turn.me, _order(turn), int(digits), draft_of=turn.me.id
            )
        except DomainError as error:
            await turn.refused(error)
            return
        await decided(turn, "review.duplicated", order.number)


async def _nothing(turn: Turn) -> None:  # the one-step flows finish in their step
    await turn.finish()


FLOWS = (
    Flow(REJECT, ReviewDraft, [ReasonStep()], _nothing),
    Flow(DUPLICATE, ReviewDraft, [DuplicateStep()], _nothing),
)
