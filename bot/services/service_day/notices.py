"""What the service day tells people, as data (bot/services/kernel/notify.py; the words:
messages/service_day.py): reminders before the service, the place message hidden
again, the requester told the service started, asked to confirm it, told it completed;
no-shows, automatic check-outs, the hours served and corrected."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.services.kernel.dto import CategoryDTO, ClaimDTO, OrderDTO, Recipient, UnitDTO
from bot.services.kernel.notify import Keyed


@dataclass(frozen=True)
class ServiceReminder(Keyed):
    """A volunteer holding a place, ``hours`` before the start; with
    ``late_after_hours``, cancelling now counts as late."""

    to: Recipient
    claim: ClaimDTO
    hours: float
    category: CategoryDTO | None
    community: UnitDTO | None
    late_after_hours: float | None

    KEY = "claim.remind:{claim.id}:{hours:hours}"


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
class PlaceHidden(Keyed):
    """An edit of the place message ``message_id`` in ``chat_id``: the resident's
    address and phone hidden (after the service, or once the place was given up)."""

    to: Recipient
    reveal_id: int
    chat_id: int
    message_id: int
    claim: ClaimDTO
    category: CategoryDTO | None

    KEY = "contact.hide:{reveal_id}"


@dataclass(frozen=True)
class ServiceStarted(Keyed):
    to: Recipient
    order: OrderDTO

    KEY = "order.started:{order.id}"


@dataclass(frozen=True)
class ConfirmService(Keyed):
    """The requester asked to confirm the service took place."""

    to: Recipient
    order: OrderDTO

    KEY = "order.confirm:{order.id}"


@dataclass(frozen=True)
class NobodyCame(Keyed):
    to: Recipient
    order: OrderDTO

    KEY = "order.nobody_came:{order.id}"


@dataclass(frozen=True)
class OrderCompleted(Keyed):
    """The requester: their order is complete."""

    to: Recipient
    order: OrderDTO

    KEY = "order.completed:{order.id}"


@dataclass(frozen=True)
class ServiceCompleted(Keyed):
    """A volunteer: their service on the order is recorded, ``minutes`` long."""

    to: Recipient
    order: OrderDTO
    claim_id: int
    minutes: int

    KEY = "order.completed:{order.id}:{claim_id}"


@dataclass(frozen=True)
class NoShow(Keyed):
    """The volunteer who did not come."""

    to: Recipient
    order: OrderDTO
    claim_id: int

    KEY = "claim.no_show:{claim_id}"


@dataclass(frozen=True)
class NoShowToCoordinator(Keyed):
    """A coordinator: the volunteer ``name`` did not come."""

    to: Recipient
    order: OrderDTO
    claim_id: int
    name: str

    KEY = "claim.no_show:{claim_id}:{to.telegram_id}"


@dataclass(frozen=True)
class AutoCheckedOut(Keyed):
    to: Recipient
    order: OrderDTO
    claim_id: int
    minutes: int

    KEY = "claim.auto_checkout:{claim_id}"


@dataclass(frozen=True)
class HoursCorrected(Keyed):
    """A volunteer: a coordinator corrected their hours (correction ``event``)."""

    to: Recipient
    order: OrderDTO
    claim_id: int
    minutes: int
    reason: str
    event: int

    KEY = "claim.hours_corrected:{claim_id}:{event}"
