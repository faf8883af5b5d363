"""Points for hours (公益银行 earn): when an order completes, each place that served
earns its verified minutes × the order's rate ÷ 60, rounded as ``[points] rounding``
says, from the bank's issuing account — booked under ``earn:<claim id>``, so exactly
once per place however often completion is confirmed, a job runs, or a crash is retried.

A coordinator's later correction of a place's hours books the difference as an
``adjust`` (``adjust:hours:<audit id>``, linked to the correction's audit record and the
claim): the place's target (what its corrected minutes earn) minus what it has brought
so far (its earn and earlier corrections). A reduction never takes the balance below
zero: when the volunteer has spent the points already, what the balance allows is taken
back and the rest is not (the volunteer is told how much, and an audit record
``points.correction_short`` keeps it). The rest is no debt; a later correction of the
same place counts again from what it actually brought, so it may take it then. A
correction before completion books nothing: completion earns on the corrected minutes.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import OrderDTO, Recipient
from bot.services.kernel.orders import order_dto
from bot.services.org.units import category_dto
from bot.services.people.recipients import recipient
from bot.services.people.users import effective_language
from bot.services.points.ledger import PointsBase, issuing_account, volunteer_account
from bot.services.points.notices import PointsAdjusted, PointsEarned
from storage.enums import ClaimState, MovementKind, OrderState
from storage.models import AuditEntry
from storage.repositories import audit as audit_repo
from storage.repositories import claims as claims_repo
from storage.repositories import crediting as crediting_repo
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo
from storage.repositories import passbook as passbook_repo
from storage.repositories import points as points_repo
from storage.repositories import users as users_repo

TRIES = 3  # a reduction re-read after a concurrent spend took what it counted on


def earn_key(claim_id: int) -> str:
    return f"earn:{claim_id}"


class Earning(PointsBase):
    """Subscribers of the service day: completion and hours corrections."""

    async def on_completed(self, session: AsyncSession, order: OrderDTO) -> None:
        """In the completing transaction: an earn for each place that served, booked
        together (storage/repositories/crediting.py), one by one when a concurrent
        booking of one of them got in the way; each volunteer told once."""
        now = self.clock.now()
        earns = [
            crediting_repo.Earn(
                earn_key(claim_id),
                volunteer_id,
                amount,
                {"order_id": order.id, "claim_id": claim_id, "minutes": minutes},
            )
            for claim_id, volunteer_id, minutes in await passbook_repo.served_places(
                session, order.id
            )
            if (amount := self.place_points(order, minutes)) > 0
        ]
        if not earns:
            return
        issuing = await issuing_account(session)
        after = await crediting_repo.earn_many(session, issuing, earns, now)
        if after is None:
            after = await self._earn_one_by_one(session, issuing, earns, now)
        category = (await org_repo.categories_by_codes(session)).get(order.category)
        kind = category_dto(category) if category else None
        users = {u.id: u for u in await users_repo.many(session, [e.user_id for e in earns])}
        notices = []
        for e in earns:
            if e.key not in after:
                continue  # booked before
            user = users[e.user_id]
            to = Recipient(user.telegram_id, effective_language(user, self.default_language))
            minutes = int(e.links["minutes"])
            notices.append(
                PointsEarned(
                    to, order, kind, int(e.links["claim_id"]), minutes, e.amount, after[e.key]
                )
            )
        await self.notifier.notify_many(session, notices)

    async def _earn_one_by_one(
        self,
        session: AsyncSession,
        issuing: int,
        earns: list[crediting_repo.Earn],
        now: datetime,
    ) -> dict[str, int]:
        after: dict[str, int] = {}
        for e in earns:
            booked = await points_repo.move(
                session,
                key=e.key,
                kind=MovementKind.EARN,
                amount=e.amount,
                from_account=issuing,
                to_account=await volunteer_account(session, e.user_id),
                at=now,
                **e.links,
            )
            if isinstance(booked, points_repo.Booked):
                after[e.key] = booked.to_balance
        return after

    async def on_corrected(self, session: AsyncSession, claim_id: int, audit_id: int) -> None:
        """In the correcting transaction: the difference the new minutes make, once the
        order completed (before, completion earns on them)."""
        claim = await claims_repo.get(session, claim_id)
        assert claim is not None
        order = await orders_repo.get(session, claim.order_id)
        assert order is not None
        if order.state != OrderState.COMPLETED.value:
            return
        dto = order_dto(order)
        minutes = (claim.minutes or 0) if claim.state == ClaimState.DONE.value else 0
        target = self.place_points(dto, minutes)
        account = await volunteer_account(session, claim.volunteer_id)
        entry = await session.get(AuditEntry, audit_id)
        reason = str((entry.detail or {}).get("reason", "")) if entry else ""
        issuing = await issuing_account(session)
        links: dict[str, Any] = {
            "order_id": order.id,
            "claim_id": claim.id,
            "audit_id": audit_id,
            "actor_id": entry.actor_id if entry else None,
            "minutes": minutes,
            "reason": reason,
        }
        key = f"adjust:hours:{audit_id}"
        delta = target - await passbook_repo.claim_credit(session, claim.id, account)
        booked: points_repo.Booked | points_repo.Refused | None = None
        short = 0
        # the correction's one movement (its key): to the volunteer, or back to issuing
        adjust = partial(points_repo.move, session, key=key, kind=MovementKind.ADJUST, **links)
        if delta > 0:
            booked = await adjust(
                amount=delta, from_account=issuing, to_account=account, at=self.clock.now()
            )
        elif delta < 0:
            for _ in range(TRIES):
                take = min(-delta, await points_repo.balance(session, account))
                short = -delta - take
                if take == 0:
                    break
                booked = await adjust(
                    amount=take, from_account=account, to_account=issuing, at=self.clock.now()
                )
                if booked is not points_repo.Refused.INSUFFICIENT:
                    break
        else:
            return
        if booked is points_repo.Refused.ALREADY_BOOKED:
            return  # this correction's difference was booked before
        if booked is points_repo.Refused.INSUFFICIENT:
            booked, short = None, -delta
        if short:
            await audit_repo.record(
                session,
                action="points.correction_short",
                actor_id=entry.actor_id if entry else None,
                unit_id=order.community_id,
                target_kind="claim",
                target_id=claim.id,
                detail={"correction": audit_id, "wanted": -delta, "short": short},
            )
        amount = delta + short  # what moved, signed (a reduction: -(taken))
        balance = await points_repo.balance(session, account)
        to = await recipient(session, claim.volunteer_id, self.default_language)
        notice = PointsAdjusted(to, audit_id, amount, reason, balance, dto, short)
        await self.notifier.notify(session, notice)
