"""What every use case of a request shares: the base of OrderService (settings, the
hooks other services subscribe to, the community check, the audit) and the page size.
An order as every step reads it (its DTO, its area, the scoped look-up) is in
bot/services/kernel/orders.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import OrderDTO, UserDTO
from bot.services.kernel.errors import InvalidValue
from bot.services.points.amounts import Rounding, window_points
from storage.enums import UnitKind
from storage.models import Order
from storage.repositories import audit as audit_repo
from storage.repositories import org as org_repo

PAGE_SIZE = 5
RATE_CEILING = 1000.0  # points an hour no configuration may exceed


def check_rate(rate: float, low: float = 0.0, high: float = RATE_CEILING) -> float:
    """Points an hour, from ``low`` to ``high`` (above 0 whatever ``low`` says)."""
    if not (rate > 0 and low <= rate <= high):
        raise InvalidValue("points_rate", "limits", min=f"{low:g}", max=f"{high:g}")
    return rate


# What happens next to an order is planned by other services (reminders, escalation,
# attendance …): each subscribes with a hook that runs in the transaction of the change.
OrderHook = Callable[[AsyncSession, OrderDTO], Awaitable[None]]


@dataclass(eq=False, kw_only=True)
class OrderBase(LoopService):
    default_rate: float  # [points] rate_per_hour: categories have no rate of their own
    max_days_ahead: int  # [orders] max_days_ahead
    min_rate: float = 0.5  # [points] min_rate … max_rate: what a coordinator may set
    max_rate: float = 20
    rounding: Rounding = "half"  # [points] rounding: what a place brings, as announced
    on_requested: list[OrderHook] = field(default_factory=list, init=False)  # waits for review
    on_published: list[OrderHook] = field(default_factory=list, init=False)  # open to grab
    # a pending request changed by its reviewer
    on_edited: list[OrderHook] = field(default_factory=list, init=False)
    # the requester called it off (every place given up)
    on_cancelled: list[OrderHook] = field(default_factory=list, init=False)

    def check_rate(self, rate: float) -> float:
        """A points rate a coordinator sets: from [points] min_rate to max_rate."""
        return check_rate(rate, self.min_rate, self.max_rate)

    def place_points(self, order: OrderDTO) -> int:
        """What a place on ``order`` brings, in tenths: its window at its rate, rounded
        as [points] rounding says."""
        return window_points(order, self.default_rate, self.rounding)

    async def _run_hooks(
        self, hooks: list[OrderHook], session: AsyncSession, order: OrderDTO
    ) -> None:
        for hook in hooks:
            await hook(session, order)

    async def _community(self, session: AsyncSession, community_id: int) -> str:
        unit = await org_repo.unit(session, community_id)
        if unit is None or unit.kind != UnitKind.COMMUNITY.value:
            raise InvalidValue("community", "not_found")
        return unit.path

    async def _audit(
        self, session: AsyncSession, actor: UserDTO, order: Order, action: str, **detail: object
    ) -> None:
        await audit_repo.record(
            session,
            action=action,
            actor_id=actor.id,
            unit_id=order.community_id,
            target_kind="order",
            target_id=order.id,
            detail=dict(detail),
        )
