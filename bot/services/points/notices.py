"""What the points bank tells people, as data (bot/services/kernel/notify.py; the words:
bot/messages/points.py and rewards.py): points earned for an order, a bonus, a
coordinator's adjustment (or the points of an hours correction), points received from
someone; a unit's coordinators told of a redemption (with the buttons "handed over" and
"cancel"), the volunteer told it was handed over or cancelled."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.kernel.dto import CategoryDTO, OrderDTO, Recipient
from bot.services.points.rewards import RedemptionDTO
from storage.enums import RedemptionState  # handlers and messages compare with it

__all__ = [
    "RedemptionCancelled",
    "RedemptionDTO",
    "RedemptionHandedOver",
    "RedemptionMade",
    "RedemptionState",
]


@dataclass(frozen=True)
class RedemptionMade:
    """A coordinator of the reward's unit: hand it over, or cancel it."""

    to: Recipient
    redemption: RedemptionDTO
    volunteer_name: str
    stock_left: int

    @property
    def key(self) -> str:
        return f"redemption.made:{self.redemption.id}:{self.to.telegram_id}"


@dataclass(frozen=True)
class RedemptionHandedOver:
    to: Recipient
    redemption: RedemptionDTO

    @property
    def key(self) -> str:
        return f"redemption.handed:{self.redemption.id}"


@dataclass(frozen=True)
class RedemptionCancelled:
    """The volunteer: cancelled with ``reason``, their points back (``balance`` now)."""

    to: Recipient
    redemption: RedemptionDTO
    balance: int

    @property
    def key(self) -> str:
        return f"redemption.cancelled:{self.redemption.id}"


@dataclass(frozen=True)
class PointsEarned:
    """A volunteer's place on a completed order earned ``amount`` tenths."""

    to: Recipient
    order: OrderDTO
    category: CategoryDTO | None
    claim_id: int
    minutes: int
    amount: int
    balance: int

    @property
    def key(self) -> str:
        return f"points.earned:{self.claim_id}"


@dataclass(frozen=True)
class BonusEarned:
    """A five-star rating brought a bonus."""

    to: Recipient
    order: OrderDTO
    claim_id: int
    amount: int
    balance: int

    @property
    def key(self) -> str:
        return f"points.bonus:{self.claim_id}"


@dataclass(frozen=True)
class PointsAdjusted:
    """A coordinator changed the volunteer's points by ``amount`` (signed tenths) with
    ``reason``; for an hours correction, ``order`` is set and ``short`` is what could not
    be taken back (spent already)."""

    to: Recipient
    event: int  # the audit record
    amount: int
    reason: str
    balance: int
    order: OrderDTO | None = None
    short: int = 0

    @property
    def key(self) -> str:
        return f"points.adjusted:{self.event}"


@dataclass(frozen=True)
class PointsReceived:
    """Another volunteer gave this one ``amount`` tenths."""

    to: Recipient
    movement_id: int
    sender_name: str
    amount: int
    balance: int

    @property
    def key(self) -> str:
        return f"points.received:{self.movement_id}"
