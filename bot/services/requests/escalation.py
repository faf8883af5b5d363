"""Escalation (三级阵地) and expiry: what happens to an order nobody acts on.

- A request still waiting for review ``escalate_street_hours`` after it was made is
  announced to the coordinators of its street station, and ``escalate_district_hours``
  after it to the district centre's, each with a button that opens its review.
- An open order still short of volunteers ``unfilled_warning_hours`` before its start
  is flagged to its coordinators (the nearest unit that has any), with a one-tap
  "announce to the whole street" while it is announced to its community only.
- At its start, a request nobody reviewed expires, and so does an open order nobody
  took (waitlisted volunteers are released); the requester is told. An order some
  volunteers took goes ahead with fewer.

Each step is a durable job under a deterministic key (``order:{id}:escalate:street``,
``…:escalate:district``, ``…:unfilled``, ``…:expire``), planned in the transaction of
the change through OrderService's hooks; each job looks at the order again when it
runs and does nothing when the order has moved on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.grabs.rules import release_waitlist
from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import CategoryDTO, OrderDTO, UnitDTO, UserDTO
from bot.services.kernel.errors import InvalidValue, NotFound, OrderClosed
from bot.services.kernel.orders import order_dto
from bot.services.kernel.scope import ancestor_ids, require_coordinator, require_scope
from bot.services.org.units import category_dto, unit_dto
from bot.services.people.recipients import coordinators_at, nearest_coordinators, recipient
from bot.services.requests.notices import OrderExpired, OrderUnfilled, ReviewRequested
from bot.services.requests.orders import OrderService
from storage.enums import OrderScope, OrderState
from storage.models import Order, OrgUnit
from storage.repositories import audit as audit_repo
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo

KIND_OVERDUE = "order.review_overdue"
KIND_UNFILLED = "order.unfilled"
KIND_EXPIRE = "order.expire"
STREET = "street"
DISTRICT = "district"
LEVELS = (STREET, DISTRICT)
OPEN = OrderState.OPEN.value
PENDING = OrderState.PENDING_REVIEW.value


def overdue_key(order_id: int, level: str) -> str:
    return f"order:{order_id}:escalate:{level}"


def unfilled_key(order_id: int) -> str:
    return f"order:{order_id}:unfilled"


def expire_key(order_id: int) -> str:
    return f"order:{order_id}:expire"


@dataclass(frozen=True)
class Widened:
    order: OrderDTO
    street: UnitDTO  # the order is announced to its volunteers now


@dataclass(eq=False, kw_only=True)
class EscalationService(LoopService):
    street_after: timedelta
    district_after: timedelta
    unfilled_before: timedelta
    orders: OrderService | None = field(default=None, init=False)

    @property
    def after(self) -> dict[str, timedelta]:
        return {STREET: self.street_after, DISTRICT: self.district_after}

    def subscribe(self, orders: OrderService) -> None:
        """Plan each order's escalation and expiry when it is requested, published or
        edited (OrderService's hooks); announce through ``orders`` when widening."""
        self.orders = orders
        orders.on_requested.append(self.plan_review)
        orders.on_published.append(self.plan_filling)
        orders.on_edited.append(self.plan_expiry)

    # ---- planning (hooks, in the transaction of the change) -------------------------

    async def plan_review(self, session: AsyncSession, order: OrderDTO) -> None:
        """A new request: its community's coordinators (or the nearest above) are told
        now; unreviewed, it goes up to the street, then the district; expiry at its
        start."""
        stored = await orders_repo.get(session, order.id)
        assert stored is not None
        _community, path = await self._place(session, stored)
        kind, place = await self._names(session, stored)
        for to in await nearest_coordinators(session, path, self.default_language):
            await self.notifier.notify(session, ReviewRequested(to, order, kind, place))
        for level in LEVELS:
            await self.scheduler.schedule(
                session,
                KIND_OVERDUE,
                overdue_key(order.id, level),
                order.created_at + self.after[level],
                order=order.id,
                level=level,
            )
        await self.plan_expiry(session, order)

    async def plan_filling(self, session: AsyncSession, order: OrderDTO) -> None:
        """A published order: the "still short" flag before its start, expiry at it.
        Published later than the warning time, it is flagged halfway to its start."""
        now = self.clock.now()
        at = order.starts_at - self.unfilled_before
        if at <= now:
            at = now + (order.starts_at - now) / 2
        await self.scheduler.schedule(
            session, KIND_UNFILLED, unfilled_key(order.id), at, order=order.id
        )
        await self.plan_expiry(session, order)

    async def plan_expiry(self, session: AsyncSession, order: OrderDTO) -> None:
        await self.scheduler.schedule(
            session, KIND_EXPIRE, expire_key(order.id), order.starts_at, order=order.id
        )

    # ---- the jobs (each in the unit of work of its job) -----------------------------

    async def _place(self, session: AsyncSession, order: Order) -> tuple[OrgUnit, str]:
        community = await org_repo.unit(session, order.community_id)
        assert community is not None
        return community, community.path

    async def _names(
        self, session: AsyncSession, order: Order
    ) -> tuple[CategoryDTO | None, UnitDTO | None]:
        """The order's category and community, for the notices to name them."""
        community = await org_repo.unit(session, order.community_id)
        category = (await org_repo.categories_by_codes(session)).get(order.category)
        return (
            category_dto(category) if category else None,
            unit_dto(community) if community else None,
        )

    async def review_overdue(self, session: AsyncSession, order_id: int, level: str) -> int:
        """Tell the street's (or the district's) coordinators of a request still waiting
        for review; how many were told (0 when it was reviewed, or its start passed)."""
        order = await orders_repo.get(session, order_id)
        if (
            order is None
            or level not in LEVELS
            or order.state != PENDING
            or order.starts_at <= self.clock.now()
        ):
            return 0
        _community, path = await self._place(session, order)
        above = ancestor_ids(path)[1:]  # the street, then the units above it
        units = above[:1] if level == STREET else above[1:]
        dto = order_dto(order)
        told = 0
        kind, place = await self._names(session, order)
        hours = self.after[level].total_seconds() / 3600
        for to in await coordinators_at(session, units, self.default_language):
            notice = ReviewRequested(to, dto, kind, place, level=level, hours=hours)
            told += await self.notifier.notify(session, notice)
        return told

    async def unfilled(self, session: AsyncSession, order_id: int) -> int:
        """Flag an open order still short of volunteers to the coordinators of the
        nearest unit that has any; how many were told."""
        order = await orders_repo.get(session, order_id)
        if (
            order is None
            or order.state != OPEN
            or order.taken >= order.places
            or order.starts_at <= self.clock.now()
        ):
            return 0
        _community, path = await self._place(session, order)
        dto = order_dto(order)
        widen = order.scope == OrderScope.COMMUNITY.value
        told = 0
        _kind, place = await self._names(session, order)
        for to in await nearest_coordinators(session, path, self.default_language):
            told += await self.notifier.notify(session, OrderUnfilled(to, dto, place, widen))
        return told

    async def expire(self, session: AsyncSession, order_id: int) -> bool:
        """At its start: a request nobody reviewed, or an open order nobody took,
        expires and the requester is told; True when it did."""
        now = self.clock.now()
        order = await orders_repo.get(session, order_id, for_update=True)
        if order is None or order.starts_at > now:
            return False
        if order.state == PENDING:
            states: tuple[str, ...] = (PENDING,)
        elif order.state == OPEN and order.taken == 0:
            states = (OPEN,)
        else:  # taken (in full or in part), or decided otherwise: it goes ahead as it is
            return False
        if not await orders_repo.change_state(
            session, order.id, states, state=OrderState.EXPIRED.value, updated_at=now
        ):
            return False
        fresh = await orders_repo.get(session, order.id)
        assert fresh is not None
        dto = order_dto(fresh)
        await release_waitlist(self, session, dto, now, started=False)
        to = await recipient(session, order.requester_id, self.default_language)
        await self.notifier.notify(session, OrderExpired(to, dto))
        return True

    # ---- "announce wider" ------------------------------------------------------------

    async def widen(self, actor: UserDTO, order_id: int) -> Widened:
        """Announce an open order short of volunteers to its whole street (audited):
        only the street's volunteers who were not told before get the announcement.
        The widest scope an order has is its street."""
        require_coordinator(actor)
        now = self.clock.now()
        async with self.db.transaction() as session:
            order = await orders_repo.get(session, order_id, for_update=True)
            if order is None:
                raise NotFound("order")
            community, path = await self._place(session, order)
            require_scope(actor, path)
            if order.state != OPEN or order.taken >= order.places or order.starts_at <= now:
                raise OrderClosed(order.state)
            if order.scope != OrderScope.COMMUNITY.value or community.parent_id is None:
                raise InvalidValue("scope", "widest")
            street = await org_repo.unit(session, community.parent_id)
            assert street is not None
            if not await orders_repo.change_state(
                session, order.id, (OPEN,), scope=OrderScope.STREET.value, updated_at=now
            ):
                raise OrderClosed(order.state)
            await audit_repo.record(
                session,
                action="order.widen",
                actor_id=actor.id,
                unit_id=order.community_id,
                target_kind="order",
                target_id=order.id,
                detail={"from": OrderScope.COMMUNITY.value, "to": OrderScope.STREET.value},
            )
            fresh = await orders_repo.get(session, order.id)
            assert fresh is not None
            dto = order_dto(fresh)
            # deterministic keys (publish:{order}:{volunteer}): those told before are not
            # told again
            assert self.orders is not None, "EscalationService.subscribe was not called"
            await self.orders._announce(session, dto)
            return Widened(dto, unit_dto(street))
