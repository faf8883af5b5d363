"""What the service day tells people, as data (bot/services/kernel/notify.py; the words:
messages/service_day.py): reminders before the service, the place message hidden
again, the requester told the service started, asked to confirm it, told it completed;
no-shows, automatic check-outs, the hours served and corrected."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.services.kernel.dto import CategoryDTO, ClaimDTO, OrderDTO, Recipient, UnitDTO
from bot.services.kernel.notify import hours_label


@dataclass(frozen=True)
class ServiceReminder:
    """A volunteer holding a place, ``hours`` before the start; with
    ``late_after_hours``, cancelling now counts as late."""

    to: Recipient
    claim: ClaimDTO
    hours: float
    category: CategoryDTO | None
    community: UnitDTO | None
    late_after_hours: float | None

    @property
    def key(self) -> str:
        return f"claim.remind:{self.claim.id}:{hours_label(self.hours)}"


@dataclass(frozen=True)
class HelpersComing:
    """The resident told who is coming. Keyed by the set of places held, so it is sent
    again only when that set changed."""

    to: Recipient
    order: OrderDTO
    claim_ids: tuple[int, ...]
    names: tuple[str, ...]

    @property
    def key(self) -> str:
        held = ",".join(map(str, sorted(self.claim_ids)))
        return f"order.coming:{self.order.id}:{hashlib.sha256(held.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class PlaceHidden:
    """An edit of the place message ``message_id`` in ``chat_id``: the resident's
    address and phone hidden (after the service, or once the place was given up)."""

    to: Recipient
    reveal_id: int
    chat_id: int
    message_id: int
    claim: ClaimDTO
    category: CategoryDTO | None

    @property
    def key(self) -> str:
        return f"contact.hide:{self.reveal_id}"


@dataclass(frozen=True)
class ServiceStarted:
    to: Recipient
    order: OrderDTO

    @property
    def key(self) -> str:
        return f"order.started:{self.order.id}"


@dataclass(frozen=True)
class ConfirmService:
    """The requester asked to confirm the service took place."""

    to: Recipient
    order: OrderDTO

    @property
    def key(self) -> str:
        return f"order.confirm:{self.order.id}"


@dataclass(frozen=True)
class NobodyCame:
    to: Recipient
    order: OrderDTO

    @property
    def key(self) -> str:
        return f"order.nobody_came:{self.order.id}"


@dataclass(frozen=True)
class OrderCompleted:
    """The requester: their order is complete."""

    to: Recipient
    order: OrderDTO

    @property
    def key(self) -> str:
        return f"order.completed:{self.order.id}"


@dataclass(frozen=True)
class ServiceCompleted:
    """A volunteer: their service on the order is recorded, ``minutes`` long."""

    to: Recipient
    order: OrderDTO
    claim_id: int
    minutes: int

    @property
    def key(self) -> str:
        return f"order.completed:{self.order.id}:{self.claim_id}"


@dataclass(frozen=True)
class NoShow:
    """The volunteer who did not come."""

    to: Recipient
    order: OrderDTO
    claim_id: int

    @property
    def key(self) -> str:
        return f"claim.no_show:{self.claim_id}"


@dataclass(frozen=True)
class NoShowToCoordinator:
    """A coordinator: the volunteer ``name`` did not come."""

    to: Recipient
    order: OrderDTO
    claim_id: int
    name: str

    @property
    def key(self) -> str:
        return f"claim.no_show:{self.claim_id}:{self.to.telegram_id}"


@dataclass(frozen=True)
class AutoCheckedOut:
    to: Recipient
    order: OrderDTO
    claim_id: int
    minutes: int

    @property
    def key(self) -> str:
        return f"claim.auto_checkout:{self.claim_id}"


@dataclass(frozen=True)
class HoursCorrected:
    """A volunteer: a coordinator corrected their hours (correction ``event``)."""

    to: Recipient
    order: OrderDTO
    claim_id: int
    minutes: int
    reason: str
    event: int

    @property
    def key(self) -> str:
        return f"claim.hours_corrected:{self.claim_id}:{self.event}"
