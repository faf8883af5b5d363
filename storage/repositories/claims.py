"""The claims table: a volunteer's place (or waitlist place) on an order."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, exists, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.enums import PLACE_HOLDING, ClaimState, OrderState
from storage.models import Claim, Order, OrgUnit, User, VolunteerProfile, VolunteerTeam
from storage.repositories.id_lists import among
from storage.repositories.upsert import insert_for

CANCELLED = ClaimState.CANCELLED.value
WAITLISTED = ClaimState.WAITLISTED.value
OFFERED = ClaimState.OFFERED.value
LIVE_ORDER = (OrderState.OPEN.value, OrderState.FILLED.value, OrderState.IN_SERVICE.value)
OPEN = OrderState.OPEN.value
FILLED = OrderState.FILLED.value
# volunteers per rules query (grab_checks): well under SQLite's and asyncpg's limits on
# bound parameters
CHUNK = 500


async def insert_new(
    session: AsyncSession, *, order_id: int, volunteer_id: int, state: str, now: datetime
) -> int | None:
    """Insert the volunteer's row for the order; None when they have one already
    (UNIQUE(order_id, volunteer_id): a second tap never makes a second row). No
    exception either way, so the transaction stays usable on PostgreSQL too."""
    stmt = (
        insert_for(session, Claim.__table__)
        .values(
            order_id=order_id,
            volunteer_id=volunteer_id,
            state=state,
            joined_at=now,
            late_cancel=False,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["order_id", "volunteer_id"])
        .returning(Claim.__table__.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def revive(
    session: AsyncSession, *, order_id: int, volunteer_id: int, state: str, now: datetime
) -> int | None:
    """A cancelled row of the volunteer's becomes live again (they come back to an
    order they had left): its id, or None when their row is live. ``late_cancel``
    stays: it is part of their record; ``version`` moves on (buttons of the row's
    earlier life are stale)."""
    result = await session.execute(
        update(Claim)
        .where(
            Claim.order_id == order_id,
            Claim.volunteer_id == volunteer_id,
            Claim.state == CANCELLED,
        )
        .values(
            state=state,
            joined_at=now,
            cancelled_at=None,
            offered_at=None,
            offer_expires_at=None,
            version=Claim.version + 1,
        )
        .returning(Claim.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none()


async def get(session: AsyncSession, claim_id: int) -> Claim | None:
    stmt = select(Claim).where(Claim.id == claim_id).execution_options(populate_existing=True)
    return (await session.scalars(stmt)).first()


async def of(session: AsyncSession, order_id: int, volunteer_id: int) -> Claim | None:
    stmt = select(Claim).where(Claim.order_id == order_id, Claim.volunteer_id == volunteer_id)
    return (await session.scalars(stmt.execution_options(populate_existing=True))).first()


async def set_state(session: AsyncSession, claim_id: int, from_state: str, **values: Any) -> bool:
    """Change the claim if it is still in ``from_state``; False when it was not. A change
    of ``state`` moves the claim's ``version`` on."""
    if "state" in values:
        values["version"] = Claim.version + 1
    result = await session.execute(
        update(Claim)
        .where(Claim.id == claim_id, Claim.state == from_state)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def overlapping(
    session: AsyncSession,
    volunteer_id: int,
    starts_at: datetime,
    ends_at: datetime,
    exclude_order_id: int,
) -> bool:
    """Whether the volunteer holds a place on another live order whose window
    overlaps [starts_at, ends_at)."""
    stmt = (
        select(Claim.id)
        .join(Order, Order.id == Claim.order_id)
        .where(
            Claim.volunteer_id == volunteer_id,
            Claim.state.in_(PLACE_HOLDING),
            Claim.order_id != exclude_order_id,
            Order.state.in_(LIVE_ORDER),
            Order.starts_at < ends_at,
            Order.ends_at > starts_at,
        )
        .limit(1)
    )
    return (await session.scalar(stmt)) is not None


async def count_upcoming(
    session: AsyncSession, volunteer_id: int, now: datetime, exclude_order_id: int
) -> int:
    """Places the volunteer holds on other live orders that have not started."""
    stmt = (
        select(func.count())
        .select_from(Claim)
        .join(Order, Order.id == Claim.order_id)
        .where(
            Claim.volunteer_id == volunteer_id,
            Claim.state.in_(PLACE_HOLDING),
            Claim.order_id != exclude_order_id,
            Order.state.in_(LIVE_ORDER),
            Order.starts_at > now,
        )
    )
    return int(await session.scalar(stmt) or 0)


async def first_waitlisted(session: AsyncSession, order_id: int) -> Claim | None:
    stmt = (
        select(Claim)
        .where(Claim.order_id == order_id, Claim.state == WAITLISTED)
        .order_by(Claim.joined_at, Claim.id)
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def due_offers(session: AsyncSession, now: datetime, limit: int = 500) -> list[int]:
    stmt = (
        select(Claim.id)
        .where(Claim.state == OFFERED, Claim.offer_expires_at <= now)
        .order_by(Claim.offer_expires_at, Claim.id)
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def of_order(session: AsyncSession, order_id: int) -> list[Claim]:
    stmt = select(Claim).where(Claim.order_id == order_id).order_by(Claim.joined_at, Claim.id)
    return list(await session.scalars(stmt))


# ---- grabbing in batches --------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Who a user is to an order, read before anything is said about the order: their
    row on it, whether they are a volunteer, and where."""

    volunteer_id: int
    claim_state: str | None  # their row on this order (any state), None without one
    profile_status: str | None  # None: not a volunteer
    community_path: str | None  # their volunteer profile's community (None: no profile)


@dataclass(frozen=True)
class GrabCheck(Standing):
    """What decides whether a volunteer may take a place on an order, read at once."""

    in_team: bool  # True when the order is open to every team
    overlapping: bool  # a place on another live order whose window overlaps this one's
    upcoming: int  # places on other live orders that have not started


@functools.cache
def _grab_checks_statement(team_only: bool) -> Select[Any]:
    """The statement of :func:`grab_checks`, built once per kind of order (open to one
    team or to all): building it (three aliases, four correlated subqueries) costs
    SQLAlchemy far more than running it (see bench/README.md, section "Rules statement
    built once"). Its values are bound at execution:
    ``order_id``, ``team_id``, ``starts_at``, ``ends_at``, ``now`` and ``ids``."""
    mine = aliased(Claim)
    other = aliased(Claim)
    other_order = aliased(Order)
    claim_state = (
        select(mine.state)
        .where(mine.order_id == bindparam("order_id"), mine.volunteer_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    in_team: Any = (
        exists()
        .where(VolunteerTeam.user_id == User.id, VolunteerTeam.team_id == bindparam("team_id"))
        .correlate(User)
        if team_only
        else literal(True)
    )
    holding = (
        other.volunteer_id == User.id,
        other.state.in_(PLACE_HOLDING),
        other.order_id != bindparam("order_id"),
        other_order.state.in_(LIVE_ORDER),
    )
    overlapping = (
        exists()
        .where(
            other_order.id == other.order_id,
            *holding,
            other_order.starts_at < bindparam("ends_at"),
            other_order.ends_at > bindparam("starts_at"),
        )
        .correlate(User)
    )
    upcoming = (
        select(func.count(other.id))
        .join(other_order, other_order.id == other.order_id)
        .where(*holding, other_order.starts_at > bindparam("now"))
        .correlate(User)
        .scalar_subquery()
    )
    columns = (User.id, claim_state, VolunteerProfile.status, OrgUnit.path)
    return (
        select(*columns, in_team, overlapping, upcoming)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .outerjoin(OrgUnit, OrgUnit.id == VolunteerProfile.community_id)
        .where(User.id.in_(bindparam("ids", expanding=True)))
    )


async def grab_checks(
    session: AsyncSession, order: Order, volunteer_ids: Sequence[int], now: datetime
) -> dict[int, GrabCheck]:
    """:class:`GrabCheck` of each volunteer (users that do not exist are left out), in
    one query per :data:`CHUNK` volunteers instead of five queries per volunteer."""
    stmt = _grab_checks_statement(order.team_id is not None)
    values: dict[str, Any] = {
        "order_id": order.id,
        "starts_at": order.starts_at,
        "ends_at": order.ends_at,
        "now": now,
    }
    if order.team_id is not None:
        values["team_id"] = order.team_id
    result: dict[int, GrabCheck] = {}
    ids = sorted(set(volunteer_ids))
    for start in range(0, len(ids), CHUNK):
        rows = (await session.execute(stmt, {**values, "ids": ids[start : start + CHUNK]})).all()
        for uid, state, status, path, team, overlap, count in rows:
            result[uid] = GrabCheck(
                uid, state, status, path, bool(team), bool(overlap), int(count or 0)
            )
    return result


async def standings(
    session: AsyncSession, order_id: int, user_ids: Sequence[int]
) -> dict[int, Standing]:
    """:class:`Standing` of each user to the order (users that do not exist are left
    out), in one query whatever their number."""
    stmt = (
        select(User.id, Claim.state, VolunteerProfile.status, OrgUnit.path)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .outerjoin(OrgUnit, OrgUnit.id == VolunteerProfile.community_id)
        .outerjoin(Claim, (Claim.volunteer_id == User.id) & (Claim.order_id == order_id))
        .where(among(session, User.id, set(user_ids)))
    )
    return {
        uid: Standing(uid, state, status, path)
        for uid, state, status, path in (await session.execute(stmt)).all()
    }


async def insert_new_many(
    session: AsyncSession, *, order_id: int, volunteer_ids: Sequence[int], state: str, now: datetime
) -> dict[int, int]:
    """As :func:`insert_new` for several volunteers in one statement: volunteer → id of
    the row inserted; those who have a row already are left out."""
    if not volunteer_ids:
        return {}
    table = Claim.__table__
    stmt = (
        insert_for(session, table)
        .values(
            [
                {
                    "order_id": order_id,
                    "volunteer_id": volunteer_id,
                    "state": state,
                    "joined_at": now,
                    "late_cancel": False,
                    "created_at": now,
                }
                for volunteer_id in volunteer_ids
            ]
        )
        .on_conflict_do_nothing(index_elements=["order_id", "volunteer_id"])
        .returning(table.c.volunteer_id, table.c.id)
    )
    return {vid: cid for vid, cid in (await session.execute(stmt)).all()}


async def take_places(session: AsyncSession, order_id: int, n: int, now: datetime) -> Order | None:
    """Take ``n`` places at once if that many are free and the order is open for
    grabbing: the order as it is now (the session's copy refreshed by the same
    statement), or None (nothing changed). One conditional UPDATE, as
    ``orders.take_place`` for one; reaching ``places`` fills the order."""
    result = await session.execute(
        update(Order)
        .where(
            Order.id == order_id,
            Order.state == OPEN,
            Order.taken + n <= Order.places,
            Order.starts_at > now,
            or_(Order.opens_at.is_(None), Order.opens_at <= now),
        )
        .values(
            taken=Order.taken + n,
            state=case((Order.taken + n >= Order.places, FILLED), else_=Order.state),
            updated_at=now,
        )
        .returning(Order)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return result.scalar_one_or_none()


async def many(session: AsyncSession, claim_ids: Sequence[int]) -> dict[int, Claim]:
    """The claims by id (fresh from the database), in one query whatever their number."""
    stmt = (
        select(Claim)
        .where(among(session, Claim.id, set(claim_ids)))
        .execution_options(populate_existing=True)
    )
    return {claim.id: claim for claim in await session.scalars(stmt)}


async def live_states(session: AsyncSession, order_id: int) -> dict[int, str]:
    """Volunteer → state of every row on the order that is not cancelled."""
    stmt = select(Claim.volunteer_id, Claim.state).where(
        Claim.order_id == order_id, Claim.state != CANCELLED
    )
    return {vid: state for vid, state in (await session.execute(stmt)).all()}
