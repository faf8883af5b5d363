"""What the requests step tells people, as data (bot/services/kernel/notify.py; the
words: messages/requests.py): the requester told of each decision on their request,
coordinators asked to review (and reminded, 三级阵地), volunteers told of an order they
may grab or one called off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.kernel.dto import CategoryDTO, OrderDTO, Recipient, UnitDTO
from bot.services.kernel.notify import Keyed


@dataclass(frozen=True)
class OrderPublished(Keyed):
    to: Recipient
    order: OrderDTO

    KEY = "order.published:{order.id}"


@dataclass(frozen=True)
class OrderRejected(Keyed):
    to: Recipient
    order: OrderDTO

    KEY = "order.rejected:{order.id}"


@dataclass(frozen=True)
class OrderDuplicate(Keyed):
    to: Recipient
    order: OrderDTO
    original: OrderDTO

    KEY = "order.duplicate:{order.id}"


@dataclass(frozen=True)
class OrderEdited(Keyed):
    """The requester: a coordinator changed these ``fields`` of their request."""

    to: Recipient
    order: OrderDTO
    fields: tuple[str, ...]
    at: datetime

    KEY = "order.edited:{order.id}:{at:stamp}"


@dataclass(frozen=True)
class OrderExpired(Keyed):
    """The requester: nobody reviewed (or nobody took) the request before its start."""

    to: Recipient
    order: OrderDTO

    KEY = "order.expired:{order.id}"


@dataclass(frozen=True)
class OrderAnnounced(Keyed):
    """A published order, to a volunteer (``volunteer_id``) who may grab it."""

    to: Recipient
    volunteer_id: int
    order: OrderDTO
    category: CategoryDTO | None
    community: UnitDTO
    now: datetime
    points: int = 0  # tenths a place brings (its window at its rate); 0: not said

    KEY = "publish:{order.id}:{volunteer_id}"


@dataclass(frozen=True)
class OrderCancelledByRequester(Keyed):
    """A volunteer holding a place (or waiting for one) on an order its requester
    cancelled."""

    to: Recipient
    order: OrderDTO

    KEY = "order.requester_cancelled:{order.id}:{to.telegram_id}"


@dataclass(frozen=True)
class ReviewRequested:
    """A request waiting for review: to the community's coordinators when it comes in,
    or (``level`` street/district, ``hours`` late) to those above when nobody reviewed
    it in time."""

    to: Recipient
    order: OrderDTO
    category: CategoryDTO | None
    community: UnitDTO | None
    level: str | None = None
    hours: float | None = None

    @property
    def key(self) -> str:
        if self.level is None:
            return f"order.requested:{self.order.id}:{self.to.telegram_id}"
        return f"order.overdue:{self.order.id}:{self.level}:{self.to.telegram_id}"


@dataclass(frozen=True)
class OrderUnfilled(Keyed):
    """An open order still short of volunteers, to its coordinators; ``widen``: it may
    be announced to the whole street (it is announced to its community only)."""

    to: Recipient
    order: OrderDTO
    community: UnitDTO | None
    widen: bool

    KEY = "order.unfilled:{order.id}:{to.telegram_id}"
