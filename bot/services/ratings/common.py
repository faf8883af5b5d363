"""What every use case of the 评单 shares: its settings and hooks, its errors, what
handlers and notices get (:class:`PromptView`), and reading a prompt back.

One prompt per order, asked of its requester (also when they asked on behalf of
someone without Telegram: they rate for them). One row of stars per volunteer who
served (``done``; no-shows and cancelled places are not offered) when up to
:data:`TEAM_MAX` served, else one row for the team, stored as one rating per served
volunteer with ``team`` set."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import OrderDTO, UserDTO
from bot.services.kernel.errors import DomainError, NotAllowed, NotFound
from bot.services.kernel.orders import order_dto
from storage.enums import ClaimState, RatingPromptState
from storage.models import RatingPrompt
from storage.repositories import attendance as attendance_repo
from storage.repositories import orders as orders_repo
from storage.repositories import ratings as ratings_repo

TEAM_MAX = 5  # more served than this: one rating for the team
DONE = ClaimState.DONE.value
OPEN = RatingPromptState.OPEN.value
FINISHED = RatingPromptState.DONE.value
EXPIRED = RatingPromptState.EXPIRED.value

ASK_JOB = "rating.ask"
REMIND_JOB = "rating.remind"
EXPIRE_JOB = "rating.expire"
ALERT_JOB = "rating.alert"

# (session, claim id, volunteer id, stars), in the rating's transaction
RatedHook = Callable[[AsyncSession, int, int, int], Awaitable[None]]


def job_key(order_id: int, what: str) -> str:
    return f"order:{order_id}:rating_{what}"


def ask_key(prompt_id: int) -> str:
    """The outbox key of the prompt's message."""
    return f"rating.ask:{prompt_id}"


def remind_key(prompt_id: int) -> str:
    """The outbox key of the reminder (the same buttons)."""
    return f"rating.remind:{prompt_id}"


class RatingExpired(DomainError):
    """The prompt expired: nothing can be rated or said any more."""

    code = "rating_expired"


class AlreadyRated(DomainError):
    """This place (or the whole prompt) was rated already; a rating is never changed."""

    code = "already_rated"


@dataclass(frozen=True)
class RatedPlace:
    """A volunteer who served, as the resident may see them, and their stars so far."""

    claim_id: int
    volunteer_id: int
    name: str
    stars: int | None


@dataclass(frozen=True)
class PromptView:
    id: int
    order: OrderDTO
    on_behalf: str | None  # the person without Telegram the requester rates for
    team: bool
    places: tuple[RatedPlace, ...]
    state: RatingPromptState
    comment: str | None
    expires_at: datetime
    comment_max: int

    @property
    def rated(self) -> bool:
        """Every row has its stars (the team's row: any of its places)."""
        if self.team:
            return any(p.stars is not None for p in self.places)
        return bool(self.places) and all(p.stars is not None for p in self.places)

    @property
    def team_stars(self) -> int | None:
        return next((p.stars for p in self.places if p.stars is not None), None)


@dataclass(eq=False, kw_only=True)
class RatingBase(LoopService):
    prompt_after: timedelta
    remind_after: timedelta
    expire_after: timedelta
    alert_at_or_below: int
    comment_max: int
    # the coordinators are alerted of a low rating with the comment, or this long after
    # the last stars when the resident never answers the comment question
    alert_fallback: timedelta = timedelta(minutes=30)
    # run in the rating's transaction, once per rated place (the points bonus …)
    on_rated: list[RatedHook] = field(default_factory=list, init=False)

    async def _view(self, session: AsyncSession, prompt: RatingPrompt) -> PromptView:
        order = await orders_repo.get(session, prompt.order_id)
        assert order is not None  # the prompt is deleted with its order
        ratings = await ratings_repo.of_order(session, order.id)
        places = tuple(
            RatedPlace(
                claim.id,
                claim.volunteer_id,
                name,
                ratings[claim.id].stars if claim.id in ratings else None,
            )
            for claim, name in await attendance_repo.claims_with_names(session, order.id, (DONE,))
        )
        return PromptView(
            id=prompt.id,
            order=order_dto(order),
            on_behalf=order.beneficiary_name,
            team=prompt.team,
            places=places,
            state=RatingPromptState(prompt.state),
            comment=prompt.comment,
            expires_at=prompt.expires_at,
            comment_max=self.comment_max,
        )

    async def _raters_prompt(
        self, session: AsyncSession, actor: UserDTO, prompt_id: int, now: datetime
    ) -> RatingPrompt:
        """The prompt, locked, if ``actor`` is its rater and it is not over."""
        prompt = await ratings_repo.prompt(session, prompt_id, for_update=True)
        if prompt is None:
            raise NotFound("rating")
        if prompt.rater_id != actor.id:
            raise NotAllowed("only the requester rates their order")
        if self._is_over(prompt, now):
            raise RatingExpired()
        return prompt

    def _is_over(self, prompt: RatingPrompt, now: datetime) -> bool:
        """Expired, or past its time with the expiry job not run yet."""
        return prompt.state == EXPIRED or (prompt.state == OPEN and now >= prompt.expires_at)

    # ---- shared moves, made in their modules ---------------------------------------------

    async def _alert(self, session: AsyncSession, prompt: RatingPrompt, view: PromptView) -> None:
        """A low rating alerts the order's coordinators, once (alerts.py)."""
        raise NotImplementedError

    async def _plan_alert(self, session: AsyncSession, view: PromptView) -> None:
        """Every row rated: the fallback alert planned if one is low (alerts.py)."""
        raise NotImplementedError

    async def _close_messages(self, session: AsyncSession, view: PromptView, expired: bool) -> None:
        """The prompt's messages lose their buttons (prompting.py)."""
        raise NotImplementedError
