"""How a review decision ends, for every review flow (handlers/requests/review_publish.py,
review_reject.py, review_edit.py): the decision said and the requester told, or the
service's refusal said (a bad value asked again)."""

from __future__ import annotations

from bot.background import wake_sender
from bot.services.kernel.errors import DomainError, InvalidValue
from handlers.common import answer_error
from handlers.flows.turn import Turn


async def decided(turn: Turn, key: str, number: str) -> None:
    """Said once the service decided, its draft cleared in the same transaction."""
    await turn.say(turn.tr(key, number=number))
    wake_sender(turn.context.application)  # the requester (and volunteers) are told


async def refused(turn: Turn, error: DomainError) -> None:
    if isinstance(error, InvalidValue):
        await turn.invalid(error)
        return
    await turn.finish()
    await answer_error(turn.update, turn.context, error)
