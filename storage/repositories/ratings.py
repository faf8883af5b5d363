"""The 评单 tables: one prompt per order (its rater, its state, the comment, when the
coordinators were alerted), one rating row per served place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Rating, RatingPrompt
from storage.repositories.upsert import insert_for


async def insert_prompt(session: AsyncSession, **values: Any) -> int | None:
    """The order's prompt; None when it has one already (UNIQUE(order_id)), without an
    exception, so the transaction stays usable on PostgreSQL too."""
    stmt = (
        insert_for(session, RatingPrompt.__table__)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["order_id"])
        .returning(RatingPrompt.__table__.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def prompt(
    session: AsyncSession, prompt_id: int, *, for_update: bool = False
) -> RatingPrompt | None:
    stmt = select(RatingPrompt).where(RatingPrompt.id == prompt_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt.execution_options(populate_existing=True))


async def prompt_of_order(session: AsyncSession, order_id: int) -> RatingPrompt | None:
    return await session.scalar(select(RatingPrompt).where(RatingPrompt.order_id == order_id))


async def set_prompt(
    session: AsyncSession, prompt_id: int, states: Sequence[str], **values: Any
) -> bool:
    """Change the prompt if it is in one of ``states``; True when it was."""
    result = await session.execute(
        update(RatingPrompt)
        .where(RatingPrompt.id == prompt_id, RatingPrompt.state.in_(tuple(states)))
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_alerted(session: AsyncSession, prompt_id: int, at: datetime) -> bool:
    """Record that the coordinators were alerted: True only for the first caller."""
    result = await session.execute(
        update(RatingPrompt)
        .where(RatingPrompt.id == prompt_id, RatingPrompt.alerted_at.is_(None))
        .values(alerted_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def insert_ratings(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ratings, skipping any place rated already (UNIQUE(order_id, claim_id));
    the claim ids inserted."""
    inserted: list[int] = []
    for row in rows:
        stmt = (
            insert_for(session, Rating.__table__)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["order_id", "claim_id"])
            .returning(Rating.__table__.c.claim_id)
        )
        claim_id = (await session.execute(stmt)).scalar_one_or_none()
        if claim_id is not None:
            inserted.append(claim_id)
    return inserted


async def of_order(session: AsyncSession, order_id: int) -> dict[int, Rating]:
    """The order's ratings by claim id."""
    rows = await session.scalars(select(Rating).where(Rating.order_id == order_id))
    return {r.claim_id: r for r in rows}


async def averages(
    session: AsyncSession, volunteer_ids: Sequence[int]
) -> dict[int, tuple[float | None, int]]:
    """Each volunteer's average stars and number of ratings (None, 0 when unrated)."""
    if not volunteer_ids:
        return {}
    stmt = (
        select(Rating.volunteer_id, func.avg(Rating.stars), func.count())
        .where(Rating.volunteer_id.in_(tuple(set(volunteer_ids))))
        .group_by(Rating.volunteer_id)
    )
    found = {
        vid: (float(avg) if avg is not None else None, int(n))
        for vid, avg, n in (await session.execute(stmt)).all()
    }
    return {vid: found.get(vid, (None, 0)) for vid in volunteer_ids}
