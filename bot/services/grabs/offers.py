"""The message that offered a waitlisted volunteer a freed place, once the offer is
settled — accepted, declined, run out, or withdrawn with its order — says so and loses
its buttons, so that no leftover "No, thanks" can give up the place taken meanwhile
(the buttons carry the claim's version too, and a press of a settled offer is refused:
ClaimService.accept_offer / decline_offer).

The edit goes through the outbox, in the transaction that settled the offer: the
offer's own outbox row holds the id Telegram gave the message. An offer still waiting
in the queue is not sent at all."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.grabs.notices import OfferSettledEdit, offer_key
from bot.services.kernel.dto import Recipient
from bot.services.kernel.notify import Notifier
from storage.models import Claim
from storage.repositories import outbox as outbox_repo


async def settle_offer_message(
    session: AsyncSession,
    notifier: Notifier,
    to: Recipient,
    claim: Claim,
    number: str,
    outcome: str,
) -> None:
    """In the caller's transaction: the offer last made on ``claim`` (if any) is
    settled with ``outcome`` (``OFFER_OUTCOMES`` in messages/grabs.py)."""
    if claim.offered_at is None:
        return
    key = offer_key(claim.id, claim.offered_at)
    if await outbox_repo.cancel(session, key):  # not sent yet: never will be
        return
    message_id = await outbox_repo.sent_message_id(session, key)
    if message_id is None:  # failed, or in flight this instant: its buttons are refused
        return
    await notifier.notify(
        session, OfferSettledEdit(to, claim.volunteer_id, key, message_id, number, outcome)
    )
