"""What every use case of claims shares: the claim states, a claim as the callers see it,
whether an order takes anyone now, the volunteer's own claim, who may take a place,
and the waitlist's release."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.grabs.notices import WaitlistReleased
from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import ClaimDTO, OrderDTO, UserDTO, from_row
from bot.services.kernel.errors import (
    AlreadyClaimed,
    NotAllowed,
    NotFound,
    NotOpenYet,
    OrderClosed,
    OutsideArea,
    OverlappingClaim,
    SlotsFull,
    TeamRequired,
    TooManyClaims,
)
from bot.services.kernel.orders import order_dto
from bot.services.org.units import unit_dto
from bot.services.people.recipients import recipient
from storage.enums import ApprovalState, ClaimState, OrderState
from storage.models import Claim, Order, OrgUnit
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo
from storage.repositories.claims import GrabCheck, Standing

OFFER_EXPIRY_JOB = "claim.offer_expiry"


ClaimHook = Callable[[AsyncSession, int], Awaitable[object]]


CLAIMED = ClaimState.CLAIMED.value


WAITLISTED = ClaimState.WAITLISTED.value


OFFERED = ClaimState.OFFERED.value


CANCELLED = ClaimState.CANCELLED.value


GRABBABLE = (OrderState.OPEN.value, OrderState.FILLED.value)


def offer_job_key(claim_id: int) -> str:
    return f"offer:{claim_id}"


def claim_dto(claim: Claim, order: Order) -> ClaimDTO:
    return from_row(ClaimDTO, claim, order=order_dto(order), state=ClaimState(claim.state))


def check_grabbable(order: Order, now: datetime) -> None:
    """Raise why the order takes no one now (full, not open yet, closed)."""
    if order.state not in GRABBABLE or order.starts_at <= now:
        raise OrderClosed(order.state)
    if order.opens_at is not None and order.opens_at > now:
        raise NotOpenYet(order.opens_at)
    if order.state == OrderState.FILLED.value or order.taken >= order.places:
        raise SlotsFull()


async def owned_claim(
    session: AsyncSession, volunteer: UserDTO, claim_id: int, *, lock: bool = True
) -> tuple[Claim, Order]:
    """The volunteer's own claim (a forged id, or another's, is NotFound) and its
    order, locked (unless ``lock`` is False: a read); the claim as it is under the lock."""
    claim = await claims_repo.get(session, claim_id)
    if claim is None or claim.volunteer_id != volunteer.id:
        raise NotFound("claim")
    order = await orders_repo.get(session, claim.order_id, for_update=lock)
    assert order is not None
    if lock:
        claim = await claims_repo.get(session, claim_id)
        assert claim is not None
    return claim, order


async def release_waitlist(
    service: LoopService, session: AsyncSession, order: OrderDTO, now: datetime, *, started: bool
) -> None:
    """The order takes no one any more (it expired, or its service started): every
    waitlisted volunteer's place in line is cancelled, and each is thanked."""
    for claim in await claims_repo.of_order(session, order.id):
        if claim.state != WAITLISTED or not await claims_repo.set_state(
            session, claim.id, WAITLISTED, state=CANCELLED, cancelled_at=now
        ):
            continue
        to = await recipient(session, claim.volunteer_id, service.default_language)
        await service.notifier.notify(session, WaitlistReleased(to, order, started))


def refuse_standing(standing: Standing | None, area: OrgUnit) -> None:
    """Raise why the user may not take a place on an order for the volunteers of
    ``area``, before anything is said about the order (full, open …): not an approved
    volunteer (NotAllowed), a row on the order already (AlreadyClaimed), a volunteer
    of elsewhere (OutsideArea)."""
    if standing is None or standing.profile_status != ApprovalState.APPROVED.value:
        raise NotAllowed("approved volunteers only")
    if standing.claim_state not in (None, CANCELLED):
        raise AlreadyClaimed(standing.claim_state)
    if not (standing.community_path or "").startswith(area.path):
        raise OutsideArea(unit_dto(area))


@dataclass(eq=False, kw_only=True)
class ClaimRules(LoopService):
    """What grabbing and the changes of a place both decide with: the rules about the
    volunteer (at most ``max_upcoming`` upcoming places), and a claim read afresh."""

    max_upcoming: int

    def _refuse_volunteer(self, check: GrabCheck | None, order: Order) -> None:
        """Raise why the volunteer may not hold a place on the order, if they may not."""
        if check is None or check.profile_status != ApprovalState.APPROVED.value:
            raise NotAllowed("approved volunteers only")
        if not check.in_team:
            raise TeamRequired(str(order.team_id))
        if check.overlapping:
            raise OverlappingClaim()
        if check.upcoming >= self.max_upcoming:
            raise TooManyClaims(max=self.max_upcoming)

    async def _check_volunteer(
        self, session: AsyncSession, volunteer_id: int, order: Order, now: datetime
    ) -> None:
        checks = await claims_repo.grab_checks(session, order, [volunteer_id], now)
        self._refuse_volunteer(checks.get(volunteer_id), order)

    async def _fresh(self, session: AsyncSession, claim_id: int) -> ClaimDTO:
        claim = await claims_repo.get(session, claim_id)
        assert claim is not None
        order = await orders_repo.get(session, claim.order_id)
        assert order is not None
        return claim_dto(claim, order)
