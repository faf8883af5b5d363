"""How a review decision ends, for every review flow (handlers/requests/review_publish.py,
review_reject.py, review_edit.py): the decision said and the requester told (a refusal:
``Turn.refused``)."""

from __future__ import annotations

from bot.background import wake_sender
from handlers.flows.turn import Turn


async def decided(turn: Turn, key: str, number: str) -> None:
    """Said once the service decided, its draft cleared in the same transaction."""
    await turn.say(turn.tr(key, number=number))
    wake_sender(turn.context.application)  # the requester (and volunteers) are told
