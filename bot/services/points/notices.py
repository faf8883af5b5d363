"""What the points bank tells people, as data (bot/services/kernel/notify.py; the words:
bot/messages/rewards.py): a unit's coordinators told of a redemption (with the buttons
"handed over" and "cancel"), the volunteer told it was handed over or cancelled."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.kernel.dto import Recipient
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
