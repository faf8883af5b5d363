"""Grabbing rules, cancelling, the waitlist and its offers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import build_services
from bot.container import Services
from bot.services.grabs.rules import OFFER_EXPIRY_JOB, offer_job_key
from bot.services.kernel.errors import (
    AlreadyClaimed,
    AlreadyDecided,
    CancelTooLate,
    NotAllowed,
    NotFound,
    NotOpenYet,
    OfferExpired,
    OrderClosed,
    OverlappingClaim,
    SlotsFull,
    TeamRequired,
    TooManyClaims,
)
from bot.services.kernel.scheduling import RecordingScheduler
from storage.database import Database
from storage.enums import ClaimState, OrderState
from tests.support.orders import activity, check_invariants, request_form, snapshot, volunteers
from tests.support.services import START, FakeClock, Org, make_config, person, recorded_writes

DAY2 = START + timedelta(days=2)


async def test_grab_gives_a_place_and_a_second_tap_is_refused(
    db: Database, services: Services, org: Org
) -> None:
    order = await activity(services, org, 2)
    (v,) = await volunteers(db, org, 1)
    claim = await services.claims.grab(v, order.id)
    assert (claim.state, claim.order.taken, claim.order.guidance) == ("claimed", 1, None)
    with recorded_writes(db) as writes, pytest.raises(AlreadyClaimed):
        await services.claims.grab(v, order.id)
    assert writes == []  # answered from the read
    await check_invariants(db, order.id)


async def test_full_and_closed_orders_are_answered_without_a_write(
    db: Database, services: Services, org: Org
) -> None:
    order = await activity(services, org, 1)
    a, b = await volunteers(db, org, 2)
    filled = await services.claims.grab(a, order.id)
    assert filled.order.state == OrderState.FILLED.value
    with recorded_writes(db) as writes, pytest.raises(SlotsFull):
        await services.claims.grab(b, order.id)
    assert writes == []
    resident = await person(services, 1001)
    pending = await services.orders.create_request(resident, request_form(org))
    with pytest.raises(OrderClosed):
        await services.claims.grab(b, pending.id)
    with pytest.raises(NotFound):
        await services.claims.grab(b, 999_999)


async def test_not_open_yet_says_when(
    db: Database, services: Services, clock: FakeClock, org: Org
) -> None:
    opens = START + timedelta(hours=3)
    order = await activity(services, org, 2, opens_at=opens)
    (v,) = await volunteers(db, org, 1)
    with pytest.raises(NotOpenYet) as caught:
        await services.claims.grab(v, order.id)
    assert caught.value.opens_at == opens
    clock.advance(hours=3)
    assert (await services.claims.grab(v, order.id)).state == "claimed"


async def test_only_approved_volunteers_and_team_members(
    db: Database, services: Services, org: Org
) -> None:
    team = org.teams[1].id
    order = await activity(services, org, 3, team_id=team)
    (outsider,) = await volunteers(db, org, 1)
    (member,) = await volunteers(db, org, 1, team_id=team)
    resident = await person(services, 1001)
    with pytest.raises(TeamRequired):
        await services.claims.grab(outsider, order.id)
    with pytest.raises(NotAllowed):
        await services.claims.grab(resident, order.id)
    assert (await services.claims.grab(member, order.id)).state == "claimed"


async def test_overlapping_windows_are_refused(db: Database, services: Services, org: Org) -> None:
    first = await activity(services, org, 2, starts_at=DAY2, hours=2)
    overlapping = await activity(services, org, 2, starts_at=DAY2 + timedelta(hours=1))
    back_to_back = await activity(services, org, 2, starts_at=DAY2 + timedelta(hours=2))
    (v,) = await volunteers(db, org, 1)
    await services.claims.grab(v, first.id)
    with pytest.raises(OverlappingClaim):
        await services.claims.grab(v, overlapping.id)
    assert (await services.claims.grab(v, back_to_back.id)).state == "claimed"


async def test_at_most_max_upcoming_places(db: Database, services: Services, org: Org) -> None:
    orders = [
        await activity(services, org, 2, starts_at=DAY2 + timedelta(days=i)) for i in range(6)
    ]
    (v,) = await volunteers(db, org, 1)
    claims = [await services.claims.grab(v, o.id) for o in orders[:5]]
    with pytest.raises(TooManyClaims):
        await services.claims.grab(v, orders[5].id)
    await services.claims.cancel(v, claims[0].id)
    assert (await services.claims.grab(v, orders[5].id)).state == "claimed"


async def test_cancel_cut_off(db: Database, services: Services, clock: FakeClock, org: Org) -> None:
    order = await activity(services, org, 3, starts_at=START + timedelta(hours=5))
    a, b, c = await volunteers(db, org, 3)
    early, late, never = [await services.claims.grab(v, order.id) for v in (a, b, c)]
    cancelled = await services.claims.cancel(a, early.id)
    assert (cancelled.state, cancelled.late_cancel) == ("cancelled", False)
    with pytest.raises(AlreadyDecided):
        await services.claims.cancel(a, early.id)
    clock.advance(hours=3, minutes=30)  # 1.5 h before the start: inside the 2 h cut-off
    flagged = await services.claims.cancel(b, late.id)
    assert (flagged.state, flagged.late_cancel, flagged.order.taken) == ("cancelled", True, 1)
    clock.advance(hours=2)  # started
    with pytest.raises(CancelTooLate):
        await services.claims.cancel(c, never.id)
    with pytest.raises(NotFound):  # someone else's place (forged id)
        await services.claims.cancel(a, never.id)
    await check_invariants(db, order.id)


async def test_a_cancelled_volunteer_may_grab_again(
    db: Database, services: Services, org: Org
) -> None:
    order = await activity(services, org, 1)
    (v,) = await volunteers(db, org, 1)
    claim = await services.claims.grab(v, order.id)
    await services.claims.cancel(v, claim.id)
    again = await services.claims.grab(v, order.id)
    assert (again.id, again.state, again.order.taken) == (claim.id, "claimed", 1)


async def test_waitlist_promotion_and_offer_expiry(
    db: Database, clock: FakeClock, org: Org
) -> None:
    recorder = RecordingScheduler()
    svc = build_services(make_config(), db, clock, scheduler=recorder)
    order = await activity(svc, org, 1)
    holder, first, second = await volunteers(db, org, 3)
    place = await svc.claims.grab(holder, order.id)
    with pytest.raises(SlotsFull):
        await svc.claims.grab(first, order.id)
    w1 = await svc.claims.join_waitlist(first, order.id)
    clock.advance(minutes=1)
    w2 = await svc.claims.join_waitlist(second, order.id)
    assert (w1.state, w2.state) == ("waitlisted", "waitlisted")
    with pytest.raises(AlreadyClaimed):
        await svc.claims.join_waitlist(first, order.id)

    await svc.claims.cancel(holder, place.id)  # the place goes to the first in line
    snap = await check_invariants(db, order.id)
    states = {c.volunteer_id: c.state for c in snap.claims}
    assert states == {holder.id: "cancelled", first.id: "offered", second.id: "waitlisted"}
    assert (snap.order.taken, snap.order.state) == (1, OrderState.FILLED.value)
    kind, due, ids = recorder.scheduled[offer_job_key(w1.id)]
    assert (kind, due, ids) == (
        OFFER_EXPIRY_JOB,
        clock.now() + timedelta(minutes=30),
        {"claim": w1.id},
    )
    offer_keys = [k for k in recorder.enqueued if k.startswith(f"claim.offered:{w1.id}:")]
    assert len(offer_keys) == 1
    offered = (await snapshot(db, order.id)).claims
    version = next(c.version for c in offered if c.id == w1.id)
    assert [b.callback_data for b in recorder.enqueued[offer_keys[0]][0].buttons[0]] == [
        f"oa:{w1.id}:{version}",
        f"od:{w1.id}:{version}",
    ]

    assert await svc.claims.expire_offers() == []  # not yet
    clock.advance(minutes=31)
    with pytest.raises(OfferExpired):
        await svc.claims.accept_offer(first, w1.id)
    assert await svc.claims.expire_offers() == [w1.id]  # passes to the next
    snap = await check_invariants(db, order.id)
    assert {c.volunteer_id: c.state for c in snap.claims}[second.id] == "offered"

    accepted = await svc.claims.accept_offer(second, w2.id)
    assert (accepted.state, accepted.order.taken) == ("claimed", 1)
    assert offer_job_key(w2.id) in recorder.cancelled
    await check_invariants(db, order.id)


async def test_an_offer_with_nobody_next_frees_the_place(
    db: Database, services: Services, clock: FakeClock, org: Org
) -> None:
    order = await activity(services, org, 1)
    holder, waiting = await volunteers(db, org, 2)
    place = await services.claims.grab(holder, order.id)
    w = await services.claims.join_waitlist(waiting, order.id)
    await services.claims.cancel(holder, place.id)
    declined = await services.claims.cancel(waiting, w.id)  # declining an offer
    assert declined.state == ClaimState.CANCELLED.value and not declined.late_cancel
    snap = await check_invariants(db, order.id)
    assert (snap.order.taken, snap.order.state) == (0, OrderState.OPEN.value)
    # with a free place, joining the waitlist simply takes it
    again = await services.claims.join_waitlist(holder, order.id)
    assert again.state == ClaimState.CLAIMED.value


async def test_a_claims_version_moves_on_with_each_change_of_state(
    db: Database, services: Services, org: Org
) -> None:
    """Every change of state (and a revival) moves it on, so a button made for one
    state of a claim can tell that the claim has moved on; confirming the guidance,
    no change of state, does not."""
    order = await activity(services, org, 1)
    (v,) = await volunteers(db, org, 1)
    claim = await services.claims.grab(v, order.id)
    assert claim.version == 0  # inserted: never changed
    read = await services.claims.confirm_guidance(v, claim.id)
    assert read.version == claim.version
    cancelled = await services.claims.cancel(v, claim.id)
    assert cancelled.version == claim.version + 1
    again = await services.claims.grab(v, order.id)  # the same row, revived
    assert (again.id, again.version) == (claim.id, claim.version + 2)
