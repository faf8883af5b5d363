"""What people see of ratings. A volunteer: their average and count, nothing more (never
who gave which stars, nor the comments). Coordinators, on an order's card: the stars of
each volunteer who served and the comment; on each volunteer's record, their average
(bot/services/service_day/order_views.py reads them with :func:`order_ratings` and
:func:`summaries`, in its own unit of work)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import UserDTO
from bot.services.ratings.common import RatingBase
from storage.repositories import ratings as ratings_repo


@dataclass(frozen=True)
class RatingSummary:
    """A volunteer's ratings: the average stars (None before the first) and how many."""

    average: float | None
    count: int


@dataclass(frozen=True)
class OrderRatings:
    """An order's ratings as its coordinators see them."""

    stars: dict[int, int] = field(default_factory=dict)  # by claim id
    team: bool = False
    comment: str | None = None


async def summaries(
    session: AsyncSession, volunteer_ids: Sequence[int]
) -> dict[int, RatingSummary]:
    found = await ratings_repo.averages(session, volunteer_ids)
    return {vid: RatingSummary(avg, n) for vid, (avg, n) in found.items()}


async def order_ratings(session: AsyncSession, order_id: int) -> OrderRatings | None:
    """None when the order has no prompt (not completed, or an activity)."""
    prompt = await ratings_repo.prompt_of_order(session, order_id)
    if prompt is None:
        return None
    ratings = await ratings_repo.of_order(session, order_id)
    return OrderRatings(
        {claim_id: r.stars for claim_id, r in ratings.items()}, prompt.team, prompt.comment
    )


class Views(RatingBase):
    async def my_rating(self, volunteer: UserDTO) -> RatingSummary:
        """The volunteer's own average and count (/me)."""
        async with self.db.read() as session:
            return (await summaries(session, [volunteer.id]))[volunteer.id]
