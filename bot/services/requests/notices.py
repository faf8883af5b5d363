"""What the requests step tells people, as data (bot/services/kernel/notify.py; the
words: messages/requests.py): the requester told of each decision on their request,
coordinators asked to review (and reminded, 三级阵地), volunteers told of an order they
may grab or one called off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from bot.services.kernel.dto import CategoryDTO, OrderDTO, Recipient, UnitDTO
from bot.services.kernel.notify import stamp


@dataclass(frozen=True)
class OrderPublished:
    to: Recipient
    order: OrderDTO

    @property
    def key(self) -> str:
        return f"order.published:{self.order.id}"


@dataclass(frozen=True)
class OrderRejected:
    to: Recipient
    order: OrderDTO

    @property
    def key(self) -> str:
        return f"order.rejected:{self.order.id}"


@dataclass(frozen=True)
class OrderDuplicate:
    to: Recipient
    order: OrderDTO
    original: OrderDTO

    @property
    def key(self) -> str:
        return f"order.duplicate:{self.order.id}"


@dataclass(frozen=True)
class OrderEdited:
    """The requester: a coordinator changed these ``fields`` of their request."""

    to: Recipient
    order: OrderDTO
    fields: tuple[str, ...]
    at: datetime

    @property
    def key(self) -> str:
        return f"order.edited:{self.order.id}:{stamp(self.at)}"


@dataclass(frozen=True)
class OrderExpired:
    """The requester: nobody reviewed (or nobody took) the request before its start."""

    to: Recipient
    order: OrderDTO

    @property
    def key(self) -> str:
        return f"order.expired:{self.order.id}"


@dataclass(frozen=True)
class OrderAnnounced:
    """A published order, to a volunteer (``volunteer_id``) who may grab it."""

    SAME_WORDS: ClassVar[bool] = True  # worded once per language for a page

    to: Recipient
    volunteer_id: int
    order: OrderDTO
    category: CategoryDTO | None
    community: UnitDTO
    now: datetime
    points: int = 0  # tenths a place brings (its window at its rate); 0: not said

    @property
    def key(self) -> str:
        return f"publish:{self.order.id}:{self.volunteer_id}"


@dataclass(frozen=True)
class OrderCancelledByRequester:
    """A volunteer holding a place (or waiting for one) on an order its requester
    cancelled."""

    to: Recipient
    order: OrderDTO

    @property
    def key(self) -> str:
        return f"order.requester_cancelled:{self.order.id}:{self.to.telegram_id}"


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
class OrderUnfilled:
    """An open order still short of volunteers, to its coordinators; ``widen``: it may
    be announced to the whole street (it is announced to its community only)."""

    to: Recipient
    order: OrderDTO
    community: UnitDTO | None
    widen: bool

    @property
    def key(self) -> str:
        return f"order.unfilled:{self.order.id}:{self.to.telegram_id}"
