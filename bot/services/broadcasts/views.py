"""What broadcasts look like to those who read about them: a broadcast with the
figures of its copies, and its progress while it goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.fanout.audience import Volunteers
from bot.services.kernel.dto import UnitDTO
from storage.enums import OutboxStatus


@dataclass(frozen=True)
class Figures:
    """A broadcast's copies by what became of them (its outbox rows)."""

    delivered: int = 0
    waiting: int = 0  # queued or being sent
    unreachable: int = 0  # blocked the bot, or never opened it: held for them
    failed: int = 0
    cancelled: int = 0

    @classmethod
    def of(cls, by_status: dict[str, int]) -> Figures:
        return cls(
            delivered=by_status.get(OutboxStatus.SENT.value, 0),
            waiting=by_status.get(OutboxStatus.QUEUED.value, 0)
            + by_status.get(OutboxStatus.SENDING.value, 0),
            unreachable=by_status.get(OutboxStatus.HELD.value, 0),
            failed=by_status.get(OutboxStatus.FAILED.value, 0),
            cancelled=by_status.get(OutboxStatus.CANCELLED.value, 0),
        )


@dataclass(frozen=True)
class BroadcastDTO:
    id: int
    unit: UnitDTO  # whose broadcast it is, and the audience's unit
    category: str
    text: str
    photo: str | None
    audience: Volunteers
    recipients: int  # counted when it was sent
    state: str
    created_at: datetime
    figures: Figures = Figures()
    send_at: datetime | None = None  # scheduled for then
    started_at: datetime | None = None  # its sending began (its time, when scheduled)
    order_id: int | None = None  # the activity it carries: its places, and those taken
    places: int = 0
    taken: int = 0
    claims_moved: int = 0  # grows with every change of its claims (its progress' edits)


@dataclass(frozen=True)
class Progress:
    """How far a broadcast got: its copies written so far (``written``) and what became
    of them; ``finished`` once every copy was written and tried (or it was cancelled);
    ``failures``: the commonest reasons of failed copies."""

    broadcast: BroadcastDTO
    written: int
    finished: bool
    failures: tuple[tuple[str, int], ...] = ()
    now: datetime | None = None

    @property
    def figures(self) -> Figures:
        return self.broadcast.figures

    @property
    def tried(self) -> int:
        f = self.figures
        return f.delivered + f.unreachable + f.failed
