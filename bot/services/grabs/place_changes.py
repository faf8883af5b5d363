"""Giving a place up, and the offers of freed places to the waitlist.

Cancelling is allowed until the service starts (then CancelTooLate); within
``cancel_cutoff`` of the start it is allowed but flagged ``late_cancel``, which counts
on the volunteer's record — letting the place go to the waitlist beats a no-show. A
freed place goes to the first waitlisted volunteer as an offer (``offered``: the place
stays reserved and counted in ``taken``) until they accept or the offer expires
(``expire_offers``), when it passes to the next; with nobody waiting it is released.
Every write transaction on an order's places (a grab batch too) locks the order row
first (``FOR UPDATE`` on PostgreSQL; BEGIN IMMEDIATE on SQLite), so two of them never
give or offer one place twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.grabs.notices import PlaceOffered, VolunteerCancelled
from bot.services.grabs.offers import settle_offer_message
from bot.services.grabs.rules import (
    CANCELLED,
    CLAIMED,
    GRABBABLE,
    OFFER_EXPIRY_JOB,
    OFFERED,
    WAITLISTED,
    ClaimHook,
    ClaimRules,
    claim_dto,
    offer_job_key,
    owned_claim,
)
from bot.services.kernel.dto import ClaimDTO, Recipient, UserDTO
from bot.services.kernel.errors import (
    AlreadyClaimed,
    AlreadyDecided,
    CancelTooLate,
    NotAllowed,
    NotFound,
    OfferExpired,
    OfferSettled,
    PlaceChanged,
)
from bot.services.kernel.orders import order_dto
from bot.services.people.recipients import recipient
from storage.models import Claim, Order
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo


@dataclass(frozen=True)
class GivingUp:
    """A place its holder asks to give up (:meth:`ClaimService.giving_up`): whether
    giving it up now counts as a late cancellation, and from when it would."""

    claim: ClaimDTO
    late: bool
    late_from: datetime


@dataclass(eq=False, kw_only=True)
class PlaceChanges(ClaimRules):
    """A place given up, an offer accepted, declined or run out, the guidance read."""

    cancel_cutoff: timedelta
    offer_time: timedelta
    # run in the transaction in which a volunteer gives up a place they held
    on_given_up: list[ClaimHook] = field(default_factory=list, init=False)

    def _cancellable(self, claim: Claim, order: Order, now: datetime) -> bool:
        """Raise why the claim cannot be given up now (AlreadyDecided, CancelTooLate);
        else whether giving it up now counts as a late cancellation."""
        state = claim.state
        if state == CANCELLED:
            raise AlreadyDecided(state)
        if state not in (CLAIMED, OFFERED, WAITLISTED):
            raise CancelTooLate(state)
        if state != WAITLISTED and (order.state not in GRABBABLE or now >= order.starts_at):
            raise CancelTooLate(order.state)
        return state == CLAIMED and now >= order.starts_at - self.cancel_cutoff

    async def giving_up(self, volunteer: UserDTO, claim_id: int) -> GivingUp:
        """What "Cancel my place" asks before anything is done: the place held (its
        version goes on the button that confirms) and when giving it up counts as late.
        NotFound, AlreadyDecided, CancelTooLate as :meth:`cancel`; a claim that is no
        held place (on the waitlist again, say, since the button was sent) is
        PlaceChanged."""
        now = self.clock.now()
        async with self.db.read() as session:
            claim, order = await owned_claim(session, volunteer, claim_id, lock=False)
            late = self._cancellable(claim, order, now)
            if claim.state != CLAIMED:
                raise PlaceChanged(claim.state)
            return GivingUp(claim_dto(claim, order), late, order.starts_at - self.cancel_cutoff)

    async def cancel(
        self, volunteer: UserDTO, claim_id: int, version: int | None = None
    ) -> ClaimDTO:
        """Give up a place (or an offer, or a waitlist place). Until ``cancel_cutoff``
        before the start it is free; from then until the start it is flagged
        ``late_cancel``; once the service started, CancelTooLate. With ``version`` (the
        confirming button's), only the claim as it was then: PlaceChanged otherwise."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            claim, order = await owned_claim(session, volunteer, claim_id)
            if version is not None and claim.version != version:
                raise PlaceChanged(claim.state)
            return await self._give_up(session, volunteer, claim, order, now)

    async def decline_offer(
        self, volunteer: UserDTO, claim_id: int, version: int | None = None
    ) -> ClaimDTO:
        """ "No, thanks" to a place offered: only the offer (of ``version``, the
        button's) while it stands — a settled one (accepted, declined, run out) is
        OfferSettled and nothing changes; the place passes to the next in line."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            claim, order = await owned_claim(session, volunteer, claim_id)
            if claim.state != OFFERED or version not in (None, claim.version):
                raise OfferSettled(claim.state)
            return await self._give_up(session, volunteer, claim, order, now)

    async def _give_up(
        self, session: AsyncSession, volunteer: UserDTO, claim: Claim, order: Order, now: datetime
    ) -> ClaimDTO:
        state = claim.state
        late = self._cancellable(claim, order, now)
        values: dict[str, object] = {"cancelled_at": now}
        if late:
            values["late_cancel"] = True
        if not await claims_repo.set_state(session, claim.id, state, state=CANCELLED, **values):
            raise AlreadyDecided(state)
        if state == OFFERED:
            await self.scheduler.cancel(session, offer_job_key(claim.id))
            await self._settle_offer(session, claim, order, "declined", volunteer)
        if state in (CLAIMED, OFFERED):
            await self._pass_on(session, order, now)
        if state == CLAIMED:
            for hook in self.on_given_up:
                await hook(session, claim.id)
            to = await recipient(session, order.requester_id, self.default_language)
            notice = VolunteerCancelled(to, order_dto(order), claim.id, now)
            await self.notifier.notify(session, notice)
        return await self._fresh(session, claim.id)

    async def accept_offer(
        self, volunteer: UserDTO, claim_id: int, version: int | None = None
    ) -> ClaimDTO:
        """Take the place offered: ``offered`` → ``claimed`` (it is already counted).
        Only the offer of ``version`` (the button's) while it stands: a place held
        already is AlreadyClaimed, an offer that ran out OfferExpired, one settled
        otherwise (declined, withdrawn, an older offer) OfferSettled."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            claim, order = await owned_claim(session, volunteer, claim_id)
            if claim.state == CLAIMED:
                raise AlreadyClaimed(claim.state)
            if claim.state != OFFERED or version not in (None, claim.version):
                ran_out = (
                    claim.state == CANCELLED
                    and claim.offer_expires_at is not None
                    and claim.cancelled_at is not None
                    and claim.cancelled_at >= claim.offer_expires_at
                )
                raise OfferExpired(claim.state) if ran_out else OfferSettled(claim.state)
            assert claim.offer_expires_at is not None
            if claim.offer_expires_at <= now or now >= order.starts_at:
                raise OfferExpired()
            await self._check_volunteer(session, volunteer.id, order, now)
            if not await claims_repo.set_state(session, claim.id, OFFERED, state=CLAIMED):
                raise OfferExpired()
            await self.scheduler.cancel(session, offer_job_key(claim.id))
            await self._settle_offer(session, claim, order, "accepted", volunteer)
            return await self._fresh(session, claim.id)

    async def _settle_offer(
        self,
        session: AsyncSession,
        claim: Claim,
        order: Order,
        outcome: str,
        volunteer: UserDTO | None = None,
    ) -> None:
        """The offer message says what became of the offer, without its buttons."""
        to = (
            Recipient(volunteer.telegram_id, volunteer.language)
            if volunteer is not None
            else await recipient(session, claim.volunteer_id, self.default_language)
        )
        assert order.number is not None
        await settle_offer_message(session, self.notifier, to, claim, order.number, outcome)

    async def confirm_guidance(self, volunteer: UserDTO, claim_id: int) -> ClaimDTO:
        """The volunteer has read the guidance of the place they hold (recorded once)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            claim, _ = await owned_claim(session, volunteer, claim_id)
            if claim.state != CLAIMED:
                raise NotAllowed("only a held place")
            if claim.guidance_confirmed_at is None:
                await claims_repo.set_state(session, claim.id, CLAIMED, guidance_confirmed_at=now)
            return await self._fresh(session, claim.id)

    async def expire_offer(self, session: AsyncSession, claim_id: int) -> bool:
        """In the caller's unit of work (a job's): if the offer ran out, cancel it and
        pass the place on. True when it expired now; idempotent."""
        now = self.clock.now()
        claim = await claims_repo.get(session, claim_id)
        if claim is None or claim.state != OFFERED:
            return False
        order = await orders_repo.get(session, claim.order_id, for_update=True)
        claim = await claims_repo.get(session, claim_id)
        assert order is not None and claim is not None
        if claim.state != OFFERED or claim.offer_expires_at is None:
            return False
        if claim.offer_expires_at > now:
            return False
        if not await claims_repo.set_state(
            session, claim.id, OFFERED, state=CANCELLED, cancelled_at=now
        ):
            return False
        await self._settle_offer(session, claim, order, "expired")
        await self._pass_on(session, order, now)
        return True

    async def expire_offers(self, now: datetime | None = None) -> list[int]:
        """Every offer that ran out by ``now`` passes to the next in line (one unit of
        work each); the claims expired."""
        moment = now or self.clock.now()
        async with self.db.read() as session:
            due = await claims_repo.due_offers(session, moment)
        expired = []
        for claim_id in due:
            async with self.db.transaction() as session:
                if await self.expire_offer(session, claim_id):
                    expired.append(claim_id)
        return expired

    async def _pass_on(self, session: AsyncSession, order: Order, now: datetime) -> None:
        """A place came free: offer it to the first waitlisted volunteer (it stays
        reserved, ``taken`` unchanged), or give it back when nobody waits or the
        service has started."""
        waiting = await claims_repo.first_waitlisted(session, order.id)
        if waiting is None or now >= order.starts_at:
            await orders_repo.release_place(session, order.id, now)
            return
        expires = min(now + self.offer_time, order.starts_at)
        await claims_repo.set_state(
            session,
            waiting.id,
            WAITLISTED,
            state=OFFERED,
            offered_at=now,
            offer_expires_at=expires,
        )
        await self.scheduler.schedule(
            session, OFFER_EXPIRY_JOB, offer_job_key(waiting.id), expires, claim=waiting.id
        )
        offered = await self._fresh(session, waiting.id)
        to = await recipient(session, waiting.volunteer_id, self.default_language)
        await self.notifier.notify(session, PlaceOffered(to, offered))

    async def claims_of_order(self, order_id: int) -> list[ClaimDTO]:
        async with self.db.read() as session:
            order = await orders_repo.get(session, order_id)
            if order is None:
                raise NotFound("order")
            return [claim_dto(c, order) for c in await claims_repo.of_order(session, order_id)]
