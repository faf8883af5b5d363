"""Completion: the requester, or a coordinator in scope, confirms that the service was
done (asked once nobody holds a place any more and someone served), which completes
the order; the requester (and the volunteers) are told.
"""

from __future__ import annotations

from bot.services.kernel.dto import OrderDTO, UserDTO
from bot.services.kernel.errors import (
    AlreadyDecided,
    NotAllowed,
    NotFinished,
    NotFound,
    OrderClosed,
)
from bot.services.kernel.orders import order_dto, scoped_order
from bot.services.people.recipients import recipient
from bot.services.service_day.common import DONE, IN_SERVICE, LIVE, AttendanceBase
from bot.services.service_day.notices import OrderCompleted, ServiceCompleted
from storage.enums import OrderState
from storage.repositories import attendance as attendance_repo
from storage.repositories import audit as audit_repo
from storage.repositories import orders as orders_repo


class Completion(AttendanceBase):
    """Confirming that an order's service was done."""

    async def confirm_completion(self, actor: UserDTO, order_id: int) -> OrderDTO:
        """The requester, or a coordinator in scope (audited), confirms the service was
        done: the order is completed once nobody holds a place any more. The volunteers
        are told; the requester too when a coordinator confirmed (when they confirmed
        themselves, the reply to their press is their one completion message)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            order = await orders_repo.get(session, order_id, for_update=True)
            if order is None:
                raise NotFound("order")
            by_coordinator = order.requester_id != actor.id
            if by_coordinator:
                if actor.coordinator_unit is None:
                    raise NotAllowed("requester or coordinator only")
                order = await scoped_order(session, actor, order_id)
            if order.state == OrderState.COMPLETED.value:
                raise AlreadyDecided(order.state)
            if order.state not in LIVE:
                raise OrderClosed(order.state)
            if not await self._completable(session, order):
                raise NotFinished(order.state)
            if not await orders_repo.change_state(
                session,
                order.id,
                (IN_SERVICE,),
                state=OrderState.COMPLETED.value,
                completed_at=now,
                completed_by_id=actor.id,
                updated_at=now,
            ):
                raise AlreadyDecided(order.state)
            fresh = await orders_repo.get(session, order.id)
            assert fresh is not None
            dto = order_dto(fresh)
            if by_coordinator:
                await audit_repo.record(
                    session,
                    action="order.complete",
                    actor_id=actor.id,
                    unit_id=fresh.community_id,
                    target_kind="order",
                    target_id=fresh.id,
                )
            if by_coordinator:  # the requester who confirmed has the reply to their press
                to = await recipient(session, fresh.requester_id, self.default_language)
                await self.notifier.notify(session, OrderCompleted(to, dto))
            served = await attendance_repo.claims_with_names(session, fresh.id, (DONE,))
            notices = []
            for claim, _ in served:
                to = await recipient(session, claim.volunteer_id, self.default_language)
                notices.append(ServiceCompleted(to, dto, claim.id, claim.minutes or 0))
            await self.notifier.notify_many(session, notices)  # an activity's 200 at once
            for hook in self.on_completed:
                await hook(session, dto)
            return dto
