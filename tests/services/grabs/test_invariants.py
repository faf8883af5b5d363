"""A random sequence of grabs, cancels, waitlist joins, offer accepts and expiries by a
few volunteers on a small order never breaks the invariants (tests/support/orders.py
check_invariants): taken == places held, taken <= places, one row per volunteer,
nobody waiting while a place is free, offers in order of joining."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.services.kernel.errors import DomainError
from storage.database import Database
from storage.models import Claim
from tests.support.orders import activity, check_invariants, volunteers
from tests.support.services import START, FakeClock, Org, build_services

VOLUNTEERS = 4
ACTIONS = ("grab", "cancel", "wait", "accept", "expire", "tick")

steps = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, VOLUNTEERS - 1)), max_size=30)


@pytest.mark.backends("sqlite", "postgresql")
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(places=st.integers(1, 3), plan=steps)
async def test_random_sequences_keep_the_invariants(
    db: Database, org: Org, places: int, plan: list[tuple[str, int]]
) -> None:
    # a fresh clock, order and volunteers for every example (the database is shared)
    clock = FakeClock(START)
    services = build_services(db, clock)
    order = await activity(services, org, places, starts_at=START + timedelta(days=1))
    people = await volunteers(db, org, VOLUNTEERS)

    async def claim_of(who: int) -> int | None:
        async with db.read() as session:
            return await session.scalar(
                select(Claim.id).where(
                    Claim.order_id == order.id, Claim.volunteer_id == people[who].id
                )
            )

    for action, who in plan:
        volunteer = people[who]
        try:
            if action == "grab":
                await services.claims.grab(volunteer, order.id)
            elif action == "wait":
                await services.claims.join_waitlist(volunteer, order.id)
            elif action == "cancel" and (claim_id := await claim_of(who)) is not None:
                await services.claims.cancel(volunteer, claim_id)
            elif action == "accept" and (claim_id := await claim_of(who)) is not None:
                await services.claims.accept_offer(volunteer, claim_id)
            elif action == "expire":
                await services.claims.expire_offers()
            elif action == "tick":
                clock.advance(minutes=20)
        except DomainError:
            pass  # a refusal is fine; anything else fails the test
        await check_invariants(db, order.id)
