"""Services.warm_up, run at start-up: the first grab after it compiles none of its
statements (without it, that grab compiles them), and the warm-up changes nothing."""

from __future__ import annotations

from contextlib import AbstractContextManager

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine.default import CACHE_MISS

from bot.container import Services
from bot.services.kernel.errors import TeamRequired
from storage.database import Database
from storage.models import Claim, Order, User
from tests.support.orders import activity, volunteers
from tests.support.services import Org, sent_statements


def compiled(db: Database) -> AbstractContextManager[list[str]]:
    """The statements SQLAlchemy had to compile inside the block (statement cache misses)."""
    return sent_statements(
        db, lambda s: s.statement if getattr(s.context, "cache_hit", None) is CACHE_MISS else None
    )


async def _snapshot(db: Database) -> tuple[object, ...]:
    async with db.read() as session:
        orders = (
            await session.execute(
                select(Order.id, Order.taken, Order.state, Order.updated_at).order_by(Order.id)
            )
        ).all()
        claims = await session.scalar(select(func.count()).select_from(Claim))
        seen = (await session.execute(select(User.id, User.last_seen_at))).all()
    return tuple(orders), claims, tuple(sorted(seen))


async def _first_grabs(db: Database, services: Services, org: Org) -> list[str]:
    """A grab on an order open to all (taken) and one on a team's order (refused after
    the team rule was read): the statements compiled meanwhile."""
    order = await activity(services, org, 2)
    team_order = await activity(services, org, 2, team_id=org.teams[1].id)
    (volunteer,) = await volunteers(db, org, 1)
    with compiled(db) as missed:
        claim = await services.claims.grab(volunteer, order.id)
        with pytest.raises(TeamRequired):
            await services.claims.grab(volunteer, team_order.id)
    assert claim.state == "claimed"
    return missed


async def test_without_the_warm_up_the_first_grab_compiles_its_statements(
    db: Database, services: Services, org: Org
) -> None:
    missed = await _first_grabs(db, services, org)
    assert any("claims" in s and "volunteer_profiles" in s for s in missed)  # the rules
    assert any(s.lstrip().upper().startswith("UPDATE ORDERS") for s in missed)  # the places


async def test_after_the_warm_up_the_first_grab_compiles_nothing(
    db: Database, services: Services, org: Org
) -> None:
    before = await _snapshot(db)
    await services.warm_up()
    assert await _snapshot(db) == before  # no order, claim or user changed
    assert await _first_grabs(db, services, org) == []
