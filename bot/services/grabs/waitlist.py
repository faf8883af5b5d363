"""Joining the waitlist of a full order (in order of joining); if a place is free after
all, the volunteer simply gets it. Split from :mod:`bot.services.grabs.grabbing`, whose
batches decide the grabs themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.grabs.notices import OrderFilled
from bot.services.grabs.rules import (
    CLAIMED,
    GRABBABLE,
    WAITLISTED,
    ClaimRules,
    check_grabbable,
    claim_dto,
    refuse_standing,
)
from bot.services.kernel.dto import ClaimDTO, UserDTO
from bot.services.kernel.errors import AlreadyClaimed, NotFound, NotOpenYet, OrderClosed, SlotsFull
from bot.services.kernel.orders import order_area, order_dto
from bot.services.people.recipients import recipient
from storage.enums import OrderState
from storage.models import Order, OrgUnit
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo
from storage.repositories.claims import GrabCheck


@dataclass(eq=False, kw_only=True)
class Waitlisting(ClaimRules):
    """Joining the waitlist (:meth:`join_waitlist`)."""

    def _refuse(
        self, check: GrabCheck | None, order: Order, area: OrgUnit, now: datetime, waitlist: bool
    ) -> None:
        """Every refusal that needs no write, in this order: who the user is to the
        order (:func:`refuse_standing`), the order not taking anyone (full too, unless
        for the waitlist), the rules about the volunteer."""
        refuse_standing(check, area)
        if waitlist:
            if order.state not in GRABBABLE or order.starts_at <= now:
                raise OrderClosed(order.state)
            if order.opens_at is not None and order.opens_at > now:
                raise NotOpenYet(order.opens_at)
        else:
            check_grabbable(order, now)
        self._refuse_volunteer(check, order)

    async def _precheck(self, volunteer: UserDTO, order_id: int, *, waitlist: bool) -> None:
        """The cheap read: every refusal that needs no write (two queries)."""
        now = self.clock.now()
        async with self.db.read() as session:
            order = await orders_repo.get(session, order_id)
            if order is None:
                raise NotFound("order")
            _, area = await order_area(session, order.community_id, order.scope)
            checks = await claims_repo.grab_checks(session, order, [volunteer.id], now)
        self._refuse(checks.get(volunteer.id), order, area, now, waitlist)

    async def _own_row(
        self, session: AsyncSession, order_id: int, volunteer_id: int, state: str, now: datetime
    ) -> int:
        """Insert the volunteer's claim row, or revive their cancelled one."""
        claim_id = await claims_repo.insert_new(
            session, order_id=order_id, volunteer_id=volunteer_id, state=state, now=now
        )
        if claim_id is None:
            claim_id = await claims_repo.revive(
                session, order_id=order_id, volunteer_id=volunteer_id, state=state, now=now
            )
        if claim_id is None:
            raise AlreadyClaimed()
        return claim_id

    async def _take(
        self, session: AsyncSession, order_id: int, volunteer_id: int, now: datetime
    ) -> ClaimDTO:
        """The claim row, then the place; raises (rolling both back) when none is free."""
        claim_id = await self._own_row(session, order_id, volunteer_id, CLAIMED, now)
        taken = await orders_repo.take_place(session, order_id, now)
        order = await orders_repo.get(session, order_id)
        assert order is not None
        if taken is None:
            check_grabbable(order, now)  # raises why: closed, not open yet …
            raise SlotsFull()
        if order.state == OrderState.FILLED.value:
            to = await recipient(session, order.requester_id, self.default_language)
            await self.notifier.notify(session, OrderFilled(to, order_dto(order), now))
        claim = await claims_repo.get(session, claim_id)
        assert claim is not None
        return claim_dto(claim, order)

    async def join_waitlist(self, volunteer: UserDTO, order_id: int) -> ClaimDTO:
        """A place in the waitlist of a full order, in order of joining; if a place is
        free after all (nobody is waiting then), the volunteer simply gets it."""
        await self._precheck(volunteer, order_id, waitlist=True)
        now = self.clock.now()
        async with self.db.transaction() as session:
            order = await orders_repo.get(session, order_id, for_update=True)
            assert order is not None
            if order.state == OrderState.OPEN.value and order.taken < order.places:
                return await self._take(session, order_id, volunteer.id, now)
            if order.state not in GRABBABLE:
                raise OrderClosed(order.state)
            claim_id = await self._own_row(session, order_id, volunteer.id, WAITLISTED, now)
            claim = await claims_repo.get(session, claim_id)
            assert claim is not None
            return claim_dto(claim, order)
