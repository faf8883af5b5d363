"""Bonus points (公益银行 bonus): ``[points] bonus_five_stars`` for each five-star rating
a volunteer's place receives (0: off), from the bank's issuing account, once per place
(``bonus:five:<claim id>``). The ratings service calls :meth:`Bonus.bonus_for_stars` in
the transaction that records the rating (a hook wired in the composition root)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.orders import order_dto
from bot.services.people.recipients import recipient
from bot.services.points.ledger import PointsBase, issuing_account, volunteer_account
from bot.services.points.notices import BonusEarned
from storage.enums import ClaimState, MovementKind
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo
from storage.repositories import points as points_repo

FIVE = 5


class Bonus(PointsBase):
    async def bonus_for_stars(self, session: AsyncSession, claim_id: int, stars: int) -> int:
        """The bonus a rating of ``stars`` for the place ``claim_id`` brings, booked in
        the caller's transaction and the volunteer told; the tenths booked (0: none —
        not five stars, bonuses off, not a served place, or booked before)."""
        if stars != FIVE or self.bonus_five_stars <= 0:
            return 0
        claim = await claims_repo.get(session, claim_id)
        if claim is None or claim.state != ClaimState.DONE.value:
            return 0
        booked = await points_repo.move(
            session,
            key=f"bonus:five:{claim_id}",
            kind=MovementKind.BONUS,
            amount=self.bonus_five_stars,
            from_account=await issuing_account(session),
            to_account=await volunteer_account(session, claim.volunteer_id),
            at=self.clock.now(),
            order_id=claim.order_id,
            claim_id=claim_id,
        )
        if not isinstance(booked, points_repo.Booked):
            return 0
        order = await orders_repo.get(session, claim.order_id)
        assert order is not None
        to = await recipient(session, claim.volunteer_id, self.default_language)
        notice = BonusEarned(
            to, order_dto(order), claim_id, self.bonus_five_stars, booked.to_balance
        )
        await self.notifier.notify(session, notice)
        return self.bonus_five_stars

    async def on_rated(
        self, session: AsyncSession, claim_id: int, volunteer_id: int, stars: int
    ) -> None:
        """The ratings service's ``on_rated`` hook: a rating's bonus, if it brings one."""
        await self.bonus_for_stars(session, claim_id, stars)
