"""An order as every step of the loop reads it: its DTO, the unit whose volunteers it
is for, and the coordinator's scoped look-up (requests, grabs and the service day
share these; the request's own use cases are in bot/services/requests/)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import OrderDTO, UserDTO, from_row
from bot.services.kernel.errors import NotFound
from bot.services.kernel.scope import require_coordinator, require_scope
from bot.services.kernel.states import OrderState
from storage.enums import OrderScope
from storage.models import Order, OrgUnit
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo


def order_dto(order: Order) -> OrderDTO:
    assert order.number is not None
    return from_row(OrderDTO, order, state=OrderState(order.state))


async def order_area(
    session: AsyncSession, community_id: int, scope: str
) -> tuple[OrgUnit, OrgUnit]:
    """An order's community, and the unit whose volunteers it is for — told of it,
    and the only ones who may take it: the community itself (and its grids), its
    street (a street-wide order), or its district (a district-wide one)."""
    community = await org_repo.unit(session, community_id)
    assert community is not None
    area = community
    steps = {OrderScope.STREET.value: 1, OrderScope.DISTRICT.value: 2}.get(scope, 0)
    for _ in range(steps):
        if area.parent_id is None:
            break
        area = await org_repo.unit(session, area.parent_id) or area
    return community, area


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
