"""Campaigns (storage/models/broadcasts.py) and their audiences, read a keyset page at
a time: ``WHERE user id > cursor ORDER BY user id LIMIT page``, so a page costs the
same at the start of 123,000 recipients as at the end and a crash resumes from the
cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import ApprovalState, CampaignState
from storage.models import Campaign, OrgUnit, User, VolunteerProfile, VolunteerTeam

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


def _volunteers(unit_path: str, team_id: int | None) -> Any:
    """Approved volunteers whose community lies at or below the unit (in the team when
    one is given): the audience of an order's announcement."""
    communities = select(OrgUnit.id).where(OrgUnit.path.startswith(unit_path, autoescape=True))
    stmt = (
        select(User.id, User.telegram_id, User.language, User.telegram_language)
        .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(VolunteerProfile.status == ApprovalState.APPROVED.value)
        .where(VolunteerProfile.community_id.in_(communities))
    )
    if team_id is not None:
        stmt = stmt.where(
            User.id.in_(select(VolunteerTeam.user_id).where(VolunteerTeam.team_id == team_id))
        )
    return stmt


async def volunteers_page(
    session: AsyncSession, unit_path: str, team_id: int | None, after: int, limit: int
) -> list[Reader]:
    """The next ``limit`` of the audience after user id ``after``, by user id."""
    stmt = _volunteers(unit_path, team_id).where(User.id > after).order_by(User.id).limit(limit)
    return [Reader(*row) for row in (await session.execute(stmt)).all()]
