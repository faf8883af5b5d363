"""What every use case of an order shares: its DTO, its area, the coordinator's
scoped look-up, and the base of OrderService (settings, the hooks other services
subscribe to, the community check, the audit).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import OrderDTO, UserDTO
from bot.services.kernel.errors import InvalidValue, NotFound
from bot.services.kernel.scope import require_coordinator, require_scope
from storage.enums import OrderScope, OrderState, UnitKind
from storage.models import Order, OrgUnit
from storage.repositories import audit as audit_repo
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo

PAGE_SIZE = 5


# What happens next to an order is planned by other services (reminders, escalation,
# attendance …): each subscribes with a hook that runs in the transaction of the change.
OrderHook = Callable[[AsyncSession, OrderDTO], Awaitable[None]]


def order_dto(order: Order) -> OrderDTO:
    assert order.number is not None
    return OrderDTO(
        id=order.id,
        number=order.number,
        requester_id=order.requester_id,
        community_id=order.community_id,
        category=order.category,
        title=order.title,
        description=order.description,
        starts_at=order.starts_at,
        ends_at=order.ends_at,
        address=order.address,
        latitude=order.latitude,
        longitude=order.longitude,
        contact_phone=order.contact_phone,
        helpers_requested=order.helpers_requested,
        beneficiary_name=order.beneficiary_name,
        beneficiary_phone=order.beneficiary_phone,
        beneficiary_address=order.beneficiary_address,
        state=OrderState(order.state),
        places=order.places,
        taken=order.taken,
        points_rate=order.points_rate,
        team_id=order.team_id,
        guidance=order.guidance,
        opens_at=order.opens_at,
        scope=order.scope,
        duplicate_of_id=order.duplicate_of_id,
        reject_reason=order.reject_reason,
        reviewed_by_id=order.reviewed_by_id,
        published_at=order.published_at,
        created_at=order.created_at,
    )


async def order_area(
    session: AsyncSession, community_id: int, scope: str
) -> tuple[OrgUnit, OrgUnit]:
    """An order's community, and the unit whose volunteers it is for — told of it,
    and the only ones who may take it: the community itself (and its grids), or its
    street (a street-wide order)."""
    community = await org_repo.unit(session, community_id)
    assert community is not None
    if scope == OrderScope.STREET.value and community.parent_id is not None:
        return community, await org_repo.unit(session, community.parent_id) or community
    return community, community


async def scoped_order(
    session: AsyncSession, actor: UserDTO, order_id: int, *, lock: bool = False
) -> Order:
    """The order, if the coordinator's unit holds its community (NotAllowed, NotFound,
    NotInScope otherwise); ``lock``: FOR UPDATE."""
    require_coordinator(actor)
    order = await orders_repo.get(session, order_id, for_update=lock)
    if order is None:
        raise NotFound("order")
    unit = await org_repo.unit(session, order.community_id)
    assert unit is not None
    require_scope(actor, unit.path)
    return order


@dataclass(eq=False, kw_only=True)
class OrderBase(LoopService):
    default_rate: float  # [points] rate_per_hour: categories have no rate of their own
    max_days_ahead: int  # [orders] max_days_ahead
    on_requested: list[OrderHook] = field(default_factory=list, init=False)  # waits for review
    on_published: list[OrderHook] = field(default_factory=list, init=False)  # open to grab
    # a pending request changed by its reviewer
    on_edited: list[OrderHook] = field(default_factory=list, init=False)
    # the requester called it off (every place given up)
    on_cancelled: list[OrderHook] = field(default_factory=list, init=False)

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
