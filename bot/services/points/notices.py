"""What the points bank tells volunteers, as data (bot/services/kernel/notify.py; the
words: messages/points.py): points earned for an order, a bonus, a coordinator's
adjustment (or the points of an hours correction), points received from someone."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.kernel.dto import CategoryDTO, OrderDTO, Recipient


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
