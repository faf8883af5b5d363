"""Campaigns (storage/models/broadcasts.py) and their audiences, read a keyset page at
a time: ``WHERE user id > cursor ORDER BY user id LIMIT page``, so a page costs the
same at the start of 123,000 recipients as at the end and a crash resumes from the
cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import ApprovalState, CampaignState, ClaimState, OrderState
from storage.models import (
    BroadcastMute,
    Campaign,
    Claim,
    Order,
    OrgUnit,
    User,
    VolunteerProfile,
    VolunteerTeam,
)

RUNNING = CampaignState.RUNNING.value


class Reader(NamedTuple):
    """One recipient of a page: who, and what their language is made of."""

    user_id: int
    telegram_id: int
    language: str | None  # chosen with /lang
    telegram_language: str | None


async def insert(session: AsyncSession, **values: Any) -> Campaign:
    campaign = Campaign(**values)
    session.add(campaign)
    await session.flush()
    return campaign


async def get(session: AsyncSession, campaign_id: int) -> Campaign | None:
    return await session.get(Campaign, campaign_id)


async def running(session: AsyncSession, limit: int = 100) -> list[int]:
    """Campaigns still being written, the most urgent (lowest priority) first, then the
    oldest."""
    stmt = (
        select(Campaign.id)
        .where(Campaign.state == RUNNING)
        .order_by(Campaign.priority, Campaign.id)
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def advance(
    session: AsyncSession, campaign_id: int, after: int, to: int, written: int, now: datetime
) -> bool:
    """Move the cursor from ``after`` to ``to``, once: False when it is no longer at
    ``after`` or the campaign stopped (another process wrote that page first)."""
    result = await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.state == RUNNING, Campaign.cursor == after)
        .values(
            cursor=to,
            recipients=Campaign.recipients + written,
            pages=Campaign.pages + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def finish(
    session: AsyncSession,
    campaign_id: int,
    state: CampaignState,
    now: datetime,
    reason: str | None = None,
) -> bool:
    """A running campaign done (or stopped, with why); False when it was not running."""
    result = await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.state == RUNNING)
        .values(state=state.value, stop_reason=reason, updated_at=now, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


class Filter(NamedTuple):
    """Who is in an audience: approved volunteers whose community lies at or below the
    unit at ``unit_path`` (its grids' volunteers are its community's), and, when given,
    in any of ``team_ids``, with at least ``min_minutes`` verified (their places served
    on completed orders), seen by the bot since ``seen_since``, not muting ``category``.
    """

    unit_path: str
    team_ids: tuple[int, ...] = ()
    min_minutes: int | None = None
    seen_since: datetime | None = None
    category: str | None = None  # a broadcast's: those who muted it are left out


def _members(f: Filter) -> Any:
    communities = select(OrgUnit.id).where(OrgUnit.path.startswith(f.unit_path, autoescape=True))
    # The community is tested as an expression, not on its index: with the index both
    # planners gather every remaining volunteer of the communities and sort them for
    # each page (SQLite: "USE TEMP B-TREE FOR ORDER BY"), a page costing the rest of the
    # audience, the whole fan-out quadratic. Without it they walk the profiles' primary
    # key from the cursor and stop at the page's last member: each page costs its own
    # rows (more for a sparse audience, the walk over everyone once in all).
    community = func.coalesce(VolunteerProfile.community_id, 0)
    stmt = (
        select(User.id, User.telegram_id, User.language, User.telegram_language)
        .select_from(VolunteerProfile)
        .join(User, User.id == VolunteerProfile.user_id)
        .where(VolunteerProfile.status == ApprovalState.APPROVED.value)
        .where(community.in_(communities))
    )
    if f.team_ids:
        stmt = stmt.where(
            User.id.in_(select(VolunteerTeam.user_id).where(VolunteerTeam.team_id.in_(f.team_ids)))
        )
    if f.min_minutes:
        served = (
            select(func.coalesce(func.sum(Claim.minutes), 0))
            .join(Order, Order.id == Claim.order_id)
            .where(
                Claim.volunteer_id == User.id,
                Claim.state == ClaimState.DONE.value,
                Order.state == OrderState.COMPLETED.value,
            )
            .scalar_subquery()
        )
        stmt = stmt.where(served >= f.min_minutes)
    if f.seen_since is not None:
        stmt = stmt.where(User.last_seen_at >= f.seen_since)
    if f.category is not None:
        muted = select(BroadcastMute.user_id).where(
            BroadcastMute.user_id == User.id, BroadcastMute.category == f.category
        )
        stmt = stmt.where(~muted.exists())
    return stmt


async def members_page(session: AsyncSession, f: Filter, after: int, limit: int) -> list[Reader]:
    """The next ``limit`` of the audience after user id ``after``, by user id."""
    stmt = (
        _members(f)
        .where(VolunteerProfile.user_id > after)
        .order_by(VolunteerProfile.user_id)
        .limit(limit)
    )
    return [Reader(*row) for row in (await session.execute(stmt)).all()]


async def members_count(session: AsyncSession, f: Filter) -> int:
    """How many the audience holds now."""
    return int(await session.scalar(select(func.count()).select_from(_members(f).subquery())) or 0)


async def states(session: AsyncSession, campaign_ids: list[int]) -> dict[int, str]:
    """campaign id → its state."""
    if not campaign_ids:
        return {}
    rows = await session.execute(
        select(Campaign.id, Campaign.state).where(Campaign.id.in_(campaign_ids))
    )
    return {int(i): str(s) for i, s in rows.all()}
