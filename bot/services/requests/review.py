"""The review of residents' requests: a request waits in ``pending_review`` until a
coordinator of its community (or any unit above it) approves it — setting the places,
points rate, team, guidance and when grabbing opens — rejects it with a reason, or
marks it a duplicate; while it waits, the reviewer may correct what the resident gave.
The requester is told of every change through the outbox, in the transaction of the
change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import OrderDTO, Page, UserDTO
from bot.services.kernel.errors import AlreadyDecided, InvalidValue
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.orders import order_dto, scoped_order
from bot.services.kernel.paging import fetch_page
from bot.services.kernel.scope import require_coordinator
from bot.services.kernel.validation import free_text
from bot.services.people.recipients import recipient
from bot.services.requests.common import PAGE_SIZE
from bot.services.requests.forms import EDITABLE, PRIVATE_FIELDS, check_form, order_form
from bot.services.requests.notices import (
    OrderDuplicate,
    OrderEdited,
    OrderPublished,
    OrderRejected,
)
from bot.services.requests.publish import OrderPublishing, Publication
from storage.enums import OrderState
from storage.models import Order
from storage.repositories import orders as orders_repo

REASON_MAX = 500


def _plain_value(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


class OrderReview(OrderPublishing):
    """The review queue and its decisions; an approval publishes (OrderPublishing)."""

    async def reviewable(self, actor: UserDTO, order_id: int) -> OrderDTO:
        """A pending order the coordinator may decide (NotAllowed, NotInScope,
        NotFound, AlreadyDecided otherwise): checked before a review flow starts."""
        require_coordinator(actor)
        async with self.db.read() as session:
            return order_dto(await self._reviewable(session, actor, order_id))

    async def review_queue(self, actor: UserDTO, page: int = 0) -> Page[OrderDTO]:
        """Requests waiting for review in the coordinator's unit and below, oldest first."""
        unit = require_coordinator(actor)
        async with self.db.read() as session:
            rows, page, pages, total = await fetch_page(
                lambda offset, limit: orders_repo.review_queue(session, unit.path, offset, limit),
                page,
                PAGE_SIZE,
            )
        return Page(tuple(order_dto(o) for o in rows), page, pages, total)

    async def _reviewable(self, session: AsyncSession, actor: UserDTO, order_id: int) -> Order:
        order = await scoped_order(session, actor, order_id, lock=True)
        if order.state != OrderState.PENDING_REVIEW.value:
            raise AlreadyDecided(order.state)
        return order

    async def _decide(
        self, session: AsyncSession, order: Order, state: OrderState, **values: object
    ) -> Order:
        decided = await orders_repo.change_state(
            session,
            order.id,
            (OrderState.PENDING_REVIEW.value,),
            state=state.value,
            **values,
        )
        if not decided:
            raise AlreadyDecided(order.state)
        fresh = await orders_repo.get(session, order.id)
        assert fresh is not None
        return fresh

    async def approve(
        self,
        actor: UserDTO,
        order_id: int,
        publication: Publication,
        *,
        draft_of: int | None = None,
    ) -> OrderDTO:
        """Publish a pending request (audited); the requester is told."""
        require_coordinator(actor)
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            order = await self._reviewable(session, actor, order_id)
            values = await self._publication(
                session, publication, order.starts_at, actor, order.community_id
            )
            order = await self._decide(
                session, order, OrderState.OPEN, reviewed_by_id=actor.id, **values
            )
            await self._audit(session, actor, order, "order.approve", places=order.places)
            dto = order_dto(order)
            to = await recipient(session, order.requester_id, self.default_language)
            await self.notifier.notify(session, OrderPublished(to, dto))
            await self._announce(session, dto)
            await self._run_hooks(self.on_published, session, dto)
            return dto

    async def reject(
        self, actor: UserDTO, order_id: int, reason: str, *, draft_of: int | None = None
    ) -> OrderDTO:
        """Turn a pending request down with a reason (audited); the requester is told."""
        require_coordinator(actor)
        text = free_text(reason, "reason", REASON_MAX)
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            order = await self._reviewable(session, actor, order_id)
            order = await self._decide(
                session,
                order,
                OrderState.REJECTED,
                reject_reason=text,
                reviewed_by_id=actor.id,
                updated_at=self.clock.now(),
            )
            await self._audit(session, actor, order, "order.reject", reason=text)
            dto = order_dto(order)
            to = await recipient(session, order.requester_id, self.default_language)
            await self.notifier.notify(session, OrderRejected(to, dto))
            return dto

    async def mark_duplicate(
        self, actor: UserDTO, order_id: int, of_order_id: int, *, draft_of: int | None = None
    ) -> OrderDTO:
        """Close a pending request as a duplicate of another order (audited)."""
        require_coordinator(actor)
        if of_order_id == order_id:
            raise InvalidValue("duplicate_of", "self")
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            original = await orders_repo.get(session, of_order_id)
            if original is None:
                raise InvalidValue("duplicate_of", "not_found")
            order = await self._reviewable(session, actor, order_id)
            order = await self._decide(
                session,
                order,
                OrderState.REJECTED,
                duplicate_of_id=original.id,
                reviewed_by_id=actor.id,
                updated_at=self.clock.now(),
            )
            await self._audit(session, actor, order, "order.duplicate", of=original.id)
            dto = order_dto(order)
            to = await recipient(session, order.requester_id, self.default_language)
            await self.notifier.notify(session, OrderDuplicate(to, dto, order_dto(original)))
            return dto

    async def edit_request(
        self,
        actor: UserDTO,
        order_id: int,
        changes: Mapping[str, object],
        *,
        draft_of: int | None = None,
    ) -> tuple[OrderDTO, tuple[str, ...]]:
        """A reviewer corrects what the resident gave (only while the request waits for
        review): ``changes`` names OrderForm fields; checked as a new request is. Audited
        with the changed fields' names (values only where they are not private); the
        requester is told which fields changed. Returns the order and those fields."""
        require_coordinator(actor)
        if not set(changes) <= EDITABLE:
            raise InvalidValue("field", "unknown")
        now = self.clock.now()
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            order = await self._reviewable(session, actor, order_id)
            current = order_form(order)
            edited = replace(current, **changes)  # type: ignore[arg-type]
            values = check_form(edited, now, self.timezone, self.max_days_ahead)
            changed = tuple(k for k in sorted(EDITABLE) if values[k] != getattr(order, k))
            if not changed:
                return order_dto(order), ()
            updated = await orders_repo.change_state(
                session,
                order.id,
                (OrderState.PENDING_REVIEW.value,),
                updated_at=now,
                **{k: values[k] for k in changed},
            )
            if not updated:
                raise AlreadyDecided(order.state)
            public = [k for k in changed if k not in PRIVATE_FIELDS]
            await self._audit(
                session,
                actor,
                order,
                "order.edit",
                fields=list(changed),
                old={k: _plain_value(getattr(current, k)) for k in public},
                new={k: _plain_value(values[k]) for k in public},
            )
            fresh = await orders_repo.get(session, order.id)
            assert fresh is not None
            dto = order_dto(fresh)
            to = await recipient(session, order.requester_id, self.default_language)
            await self.notifier.notify(session, OrderEdited(to, dto, changed, now))
            await self._run_hooks(self.on_edited, session, dto)
            return dto, changed
