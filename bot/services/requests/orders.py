"""OrderService: every use case of an order in one service, as the composition root
wires it (bot/services/__init__.py) and handlers call it (``services.orders``) — the
requester's (order_intake), the review's (order_review, which publishes through
order_publish), the volunteer's browsing (order_browse), on the shared base
(order_common) — and reading one order, which every audience does.
"""

from __future__ import annotations

from bot.services.kernel.dto import OrderDTO
from bot.services.kernel.errors import NotFound
from bot.services.kernel.orders import order_dto
from bot.services.requests.browse import OrderBrowse
from bot.services.requests.intake import OrderIntake
from bot.services.requests.review import OrderReview
from storage.repositories import orders as orders_repo
from storage.repositories import users as users_repo
from storage.repositories import volunteers as volunteers_repo


class OrderService(OrderIntake, OrderReview, OrderBrowse):
    """Requests, their review and publication, browsing; reading one order."""

    async def get(self, order_id: int) -> OrderDTO:
        async with self.db.read() as session:
            order = await orders_repo.get(session, order_id)
            if order is None:
                raise NotFound("order")
            return order_dto(order)

    async def requester_name(self, order: OrderDTO) -> str:
        """Who asked, as reviewers and the volunteers holding a place call them: the
        name they registered with as a volunteer, else their Telegram name."""
        async with self.db.read() as session:
            profile = await volunteers_repo.profile(session, order.requester_id)
            if profile is not None:
                return profile.real_name
            user = await users_repo.by_id(session, order.requester_id)
        if user is None:
            return ""
        return " ".join(part for part in (user.first_name, user.last_name) if part)
