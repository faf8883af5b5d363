"""A coordinator's adjustment of a volunteer's points (公益银行 adjust): a volunteer of
their unit or below, by a signed amount (at most :data:`ADJUST_MAX` points either way),
with a required reason; audited (``points.adjust``) and linked to that record, the
volunteer told with the reason. A deduction larger than the balance is refused
(InsufficientPoints, nothing moved): a balance never goes below zero."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.kernel.dto import UserDTO
from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.validation import free_text
from bot.services.people.recipients import recipient
from bot.services.points.amounts import TENTHS_PER_POINT
from bot.services.points.ledger import (
    PointsBase,
    VolunteerPoints,
    issuing_account,
    scoped_volunteer,
    spend,
    volunteer_account,
)
from bot.services.points.notices import PointsAdjusted
from storage.enums import MovementKind
from storage.repositories import audit as audit_repo

ADJUST_MAX = 1000 * TENTHS_PER_POINT  # tenths, either way
REASON_MAX = 500


def check_adjustment(amount: int) -> int:
    """A coordinator's adjustment in tenths: not 0, at most ADJUST_MAX either way."""
    if amount == 0 or abs(amount) > ADJUST_MAX:
        raise InvalidValue("adjust_amount", "range", max=ADJUST_MAX // TENTHS_PER_POINT)
    return amount


@dataclass(frozen=True)
class Adjusted:
    volunteer: VolunteerPoints  # with the balance after
    amount: int  # signed tenths
    reason: str
    audit_id: int


class Adjusting(PointsBase):
    async def adjust(
        self,
        actor: UserDTO,
        volunteer_id: int,
        amount: int,
        reason: str,
        *,
        draft_of: int | None = None,
    ) -> Adjusted:
        """Add (``amount`` > 0) or take (< 0) tenths, with ``reason``."""
        check_adjustment(amount)
        text = free_text(reason, "reason", REASON_MAX)
        now = self.clock.now()
        async with self.db.transaction() as session:
            profile, unit = await scoped_volunteer(session, actor, volunteer_id)
            await clear_draft(session, draft_of)  # its flow ends with it
            event = await audit_repo.record(
                session,
                action="points.adjust",
                actor_id=actor.id,
                unit_id=unit.id,
                target_kind="user",
                target_id=volunteer_id,
                detail={"amount": amount, "reason": text},
            )
            account = await volunteer_account(session, volunteer_id)
            issuing = await issuing_account(session)
            payer, payee = (issuing, account) if amount > 0 else (account, issuing)
            booked = await spend(
                session,
                key=f"adjust:{event}",
                kind=MovementKind.ADJUST,
                amount=abs(amount),
                from_account=payer,
                to_account=payee,
                at=now,
                audit_id=event,
                actor_id=actor.id,
                reason=text,
            )
            balance = booked.to_balance if amount > 0 else booked.from_balance
            to = await recipient(session, volunteer_id, self.default_language)
            await self.notifier.notify(session, PointsAdjusted(to, event, amount, text, balance))
        return Adjusted(
            VolunteerPoints(volunteer_id, profile.real_name, unit, balance), amount, text, event
        )
