"""What grabbing tells people, as data (bot/services/kernel/notify.py; the words:
messages/grabs.py): the requester told their order filled or lost a volunteer, a
waitlisted volunteer offered a freed place (and what became of the offer), or released
from the line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.kernel.dto import ClaimDTO, OrderDTO, Recipient
from bot.services.kernel.notify import stamp


def offer_key(claim_id: int, offered_at: datetime) -> str:
    """The outbox key of the message offering a freed place (one per offer)."""
    return f"claim.offered:{claim_id}:{stamp(offered_at)}"


@dataclass(frozen=True)
class OrderFilled:
    """The requester: every place of their order is taken."""

    to: Recipient
    order: OrderDTO
    at: datetime

    @property
    def key(self) -> str:
        return f"order.filled:{self.order.id}:{stamp(self.at)}"


@dataclass(frozen=True)
class VolunteerCancelled:
    """The requester: a volunteer gave up their place."""

    to: Recipient
    order: OrderDTO
    claim_id: int
    at: datetime

    @property
    def key(self) -> str:
        return f"order.volunteer_cancelled:{self.claim_id}:{stamp(self.at)}"


@dataclass(frozen=True)
class PlaceOffered:
    """A freed place offered to a waitlisted volunteer, with buttons that carry the
    claim's version as offered (stale once the offer is settled)."""

    to: Recipient
    claim: ClaimDTO

    @property
    def key(self) -> str:
        assert self.claim.offered_at is not None
        return offer_key(self.claim.id, self.claim.offered_at)


@dataclass(frozen=True)
class OfferSettledEdit:
    """An edit of the offer message ``message_id`` (outbox key ``offer``): what became
    of the offer (``outcome``: accepted, declined, expired, withdrawn), no buttons."""

    to: Recipient
    volunteer_id: int
    offer: str
    message_id: int
    number: str
    outcome: str

    @property
    def key(self) -> str:
        return f"{self.offer}:settled"


@dataclass(frozen=True)
class WaitlistReleased:
    """A waitlisted volunteer: the order expired, or its service ``started`` without
    needing them; their place in line is released."""

    to: Recipient
    order: OrderDTO
    started: bool

    @property
    def key(self) -> str:
        return f"order.waitlist_released:{self.order.id}:{self.to.telegram_id}"
