"""A resident's request for help (点单) and the requester's own orders (/myrequests):
submitting a request (it waits for review), the list of their orders, and calling one
off before its service starts.
"""

from __future__ import annotations

from bot.services.grabs.offers import settle_offer_message
from bot.services.kernel.dto import OrderDTO, Page, UserDTO
from bot.services.kernel.errors import AlreadyDecided, NotAllowed
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.orders import order_dto
from bot.services.kernel.paging import fetch_page
from bot.services.people.recipients import recipient
from bot.services.requests.common import PAGE_SIZE, OrderBase
from bot.services.requests.forms import OrderForm, check_form
from bot.services.requests.notices import OrderCancelledByRequester
from storage.enums import ClaimState, OrderState
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo

REQUESTER_CANCELLABLE = (
    OrderState.PENDING_REVIEW.value,
    OrderState.OPEN.value,
    OrderState.FILLED.value,
)
WAITING_OR_HOLDING = (
    ClaimState.CLAIMED.value,
    ClaimState.OFFERED.value,
    ClaimState.WAITLISTED.value,
)


class OrderIntake(OrderBase):
    """The requester's side: submit a request, list and cancel their orders."""

    async def create_request(
        self, requester: UserDTO, form: OrderForm, *, draft_of: int | None = None
    ) -> OrderDTO:
        """A resident's request: checked, stored as ``pending_review``, numbered."""
        now = self.clock.now()
        values = check_form(form, now, self.timezone, self.max_days_ahead)
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            await self._community(session, form.community_id)
            order = await orders_repo.insert(
                session,
                requester_id=requester.id,
                state=OrderState.PENDING_REVIEW.value,
                places=0,
                taken=0,
                created_at=now,
                updated_at=now,
                **values,
            )
            dto = order_dto(order)
            await self._run_hooks(self.on_requested, session, dto)
            return dto

    async def requester_orders(self, requester: UserDTO, page: int = 0) -> Page[OrderDTO]:
        """The requester's orders, newest first, paged."""
        async with self.db.read() as session:
            rows, page, pages, total = await fetch_page(
                lambda offset, limit: orders_repo.of_requester(
                    session, requester.id, offset, limit
                ),
                page,
                PAGE_SIZE,
            )
        return Page(tuple(order_dto(o) for o in rows), page, pages, total)

    def requester_may_cancel(self, order: OrderDTO) -> bool:
        return order.state in REQUESTER_CANCELLABLE and order.starts_at > self.clock.now()

    async def cancel_by_requester(self, requester: UserDTO, order_id: int) -> OrderDTO:
        """Only the requester, only before the service starts. Every volunteer holding
        a place or waiting for one is told (outbox), in the transaction of the change."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            order = await orders_repo.get(session, order_id, for_update=True)
            if order is None or order.requester_id != requester.id:
                raise NotAllowed("not the requester")
            if order.state not in REQUESTER_CANCELLABLE or order.starts_at <= now:
                raise AlreadyDecided(order.state)
            changed = await orders_repo.change_state(
                session,
                order.id,
                REQUESTER_CANCELLABLE,
                state=OrderState.CANCELLED.value,
                taken=0,
                updated_at=now,
            )
            if not changed:
                raise AlreadyDecided(order.state)
            fresh = await orders_repo.get(session, order.id)
            assert fresh is not None
            dto = order_dto(fresh)
            for claim in await claims_repo.of_order(session, order.id):
                state = claim.state
                if state not in WAITING_OR_HOLDING:
                    continue
                await claims_repo.set_state(
                    session, claim.id, state, state=ClaimState.CANCELLED.value, cancelled_at=now
                )
                to = await recipient(session, claim.volunteer_id, self.default_language)
                await self.notifier.notify(session, OrderCancelledByRequester(to, dto))
                if state == ClaimState.OFFERED.value:  # its buttons go
                    await settle_offer_message(
                        session, self.notifier, to, claim, dto.number, "withdrawn"
                    )
            await self._run_hooks(self.on_cancelled, session, dto)
            return dto
