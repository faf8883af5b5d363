"""What coordinators see of orders in service: the live orders of their unit, one
found by its number, and an order's view with every volunteer's attendance and record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import OrderDTO, Page, UserDTO
from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.orders import order_dto, scoped_order
from bot.services.kernel.paging import fetch_page
from bot.services.kernel.scope import require_coordinator
from bot.services.kernel.validation import typed_number
from bot.services.ratings.views import OrderRatings, RatingSummary, order_ratings, summaries
from bot.services.service_day.common import (
    SHOWN_STATES,
    Attendance,
    AttendanceBase,
    Record,
    _attendance,
    _record,
)
from storage.models import Order
from storage.repositories import attendance as attendance_repo
from storage.repositories import orders as orders_repo

PAGE_SIZE = 5


@dataclass(frozen=True)
class OrderView:
    """An order as its coordinators see it: every volunteer with their record."""

    order: OrderDTO
    rows: tuple[tuple[Attendance, Record], ...]
    completable: bool
    # the resident's 评单 of it (None before it completed), and each volunteer's average
    ratings: OrderRatings | None = None
    averages: dict[int, RatingSummary] = field(default_factory=dict)


class OrderViews(AttendanceBase):
    """Coordinators' live list and an order's attendance."""

    async def live_orders(self, actor: UserDTO, page: int = 0) -> Page[OrderDTO]:
        """Published orders not completed yet in the coordinator's unit and below."""
        unit = require_coordinator(actor)
        async with self.db.read() as session:
            rows, page, pages, total = await fetch_page(
                lambda offset, limit: attendance_repo.live_under(session, unit.path, offset, limit),
                page,
                PAGE_SIZE,
            )
        return Page(tuple(order_dto(o) for o in rows), page, pages, total)

    async def find_order(self, actor: UserDTO, number: str) -> int:
        """The id of the order numbered ``number`` (``HY000042`` or ``42``), in scope."""
        require_coordinator(actor)
        text = number.strip().upper()
        digits = text[len(orders_repo.NUMBER_PREFIX) :] if text.startswith("HY") else text
        order_id = typed_number(digits)
        if order_id is None:
            raise InvalidValue("order_number", "not_found")
        async with self.db.read() as session:
            order = await orders_repo.get(session, order_id)
            if order is None:
                raise InvalidValue("order_number", "not_found")
            await scoped_order(session, actor, order.id)
            return order.id

    async def order_view(self, actor: UserDTO, order_id: int) -> OrderView:
        async with self.db.read() as session:
            order = await scoped_order(session, actor, order_id)
            return await self._view(session, order)

    async def _view(self, session: AsyncSession, order: Order) -> OrderView:
        dto = order_dto(order)
        claims = await attendance_repo.claims_with_names(session, order.id, SHOWN_STATES)
        records = await attendance_repo.records(session, [c.volunteer_id for c, _ in claims])
        rows = tuple(
            (_attendance(c, dto, name), _record(records[c.volunteer_id])) for c, name in claims
        )
        completable = await self._completable(session, order)
        ratings = await order_ratings(session, order.id)
        averages = await summaries(session, [c.volunteer_id for c, _ in claims])
        return OrderView(dto, rows, completable, ratings, averages)
