"""Publishing an order (发单): what a coordinator sets (:class:`Publication`, its
defaults and checks), the announcement to the volunteers, and a coordinator's own
activity, published at once without review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.fanout import campaigns
from bot.services.fanout.audience import Member, Volunteers
from bot.services.grabs.rules import GRABBABLE
from bot.services.kernel.dto import OrderDTO, UserDTO
from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.orders import order_area, order_dto
from bot.services.kernel.scheduling import PRIORITY_BROADCAST
from bot.services.kernel.scope import require_coordinator, require_scope
from bot.services.kernel.validation import optional_text, typed_moment
from bot.services.org.units import category_dto, unit_dto
from bot.services.requests.common import OrderBase
from bot.services.requests.forms import OrderForm, check_form
from bot.services.requests.notices import OrderAnnounced
from storage.enums import OrderScope, OrderState
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo

GUIDANCE_MAX = 2000
PLACES_MAX = 200


@dataclass(frozen=True)
class Publication:
    """What a coordinator sets when publishing."""

    places: int
    points_rate: float | None = None  # None: [points] rate_per_hour
    team_id: int | None = None
    guidance: str | None = None
    opens_at: datetime | None = None  # None: grabbing opens at once
    scope: str = OrderScope.COMMUNITY.value


def default_publication(order: OrderDTO) -> Publication:
    """What "publish with these defaults" publishes: a place for each helper asked, the
    configured points rate (categories have no rate of their own), any team, no
    guidance beyond the category's own, grabbing open at once, the request's community."""
    return Publication(places=min(max(order.helpers_requested, 1), PLACES_MAX))


def check_places(places: int) -> int:
    if not 1 <= places <= PLACES_MAX:
        raise InvalidValue("places", "range", min=1, max=PLACES_MAX)
    return places


def check_guidance(text: str | None) -> str | None:
    """A coordinator's guidance for an order: optional, at most GUIDANCE_MAX."""
    return optional_text(text, "guidance", GUIDANCE_MAX)


def check_opens(
    opens_at: datetime | None, starts_at: datetime, now: datetime | None = None
) -> None:
    """Grabbing must open before the service starts (None: at once); with ``now``, a
    time typed for it must be still to come (the coordinator has "open now" for that)."""
    if opens_at is None:
        return
    if now is not None and opens_at <= now:
        raise InvalidValue("opens_at", "past")
    if opens_at >= starts_at:
        raise InvalidValue("opens_at", "after_start")


class OrderPublishing(OrderBase):
    """Publication, shared by a coordinator's own activity and an approved request."""

    async def _publication(
        self,
        session: AsyncSession,
        publication: Publication,
        starts_at: datetime,
        actor: UserDTO,
        community_id: int,
    ) -> dict[str, object]:
        check_places(publication.places)
        rate = self.check_rate(
            self.default_rate if publication.points_rate is None else publication.points_rate
        )
        if publication.team_id is not None and publication.team_id not in {
            t.id for t in await org_repo.teams(session)
        }:
            raise InvalidValue("teams", "not_found")
        if publication.scope not in {s.value for s in OrderScope}:
            raise InvalidValue("scope", "unknown")
        if publication.scope == OrderScope.DISTRICT.value:  # for district coordinators
            _, district = await order_area(session, community_id, publication.scope)
            require_scope(actor, district.path)
        now = self.clock.now()
        # a time that passed while the coordinator answered the last questions: at once
        # (they are told: handlers/requests/review_publish.py opened_early)
        opens_at = publication.opens_at
        if opens_at is not None and opens_at <= now:
            opens_at = None
        check_opens(opens_at, starts_at)
        return {
            "places": publication.places,
            "points_rate": rate,
            "team_id": publication.team_id,
            "guidance": check_guidance(publication.guidance),
            "opens_at": opens_at,
            "scope": publication.scope,
            "published_at": now,
            "updated_at": now,
        }

    async def create_activity(
        self,
        actor: UserDTO,
        form: OrderForm,
        publication: Publication,
        *,
        draft_of: int | None = None,
    ) -> OrderDTO:
        """A coordinator's own order (an activity with N places): open at once."""
        require_coordinator(actor)
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            dto = await self.insert_activity(session, actor, form, publication)
            await self._announce(session, dto)
            return dto

    async def insert_activity(
        self, session: AsyncSession, actor: UserDTO, form: OrderForm, publication: Publication
    ) -> OrderDTO:
        """The activity, open, in the caller's transaction — not announced (a broadcast
        that carries it is its announcement: bot/services/broadcasts/broadcasting.py);
        audited, its future planned (reminders, the contact's end)."""
        now = self.clock.now()
        values = check_form(form, now, self.timezone, self.max_days_ahead)
        path = await self._community(session, form.community_id)
        require_scope(actor, path)
        published = await self._publication(
            session, publication, form.starts_at, actor, form.community_id
        )
        order = await orders_repo.insert(
            session,
            requester_id=actor.id,
            state=OrderState.OPEN.value,
            taken=0,
            reviewed_by_id=actor.id,
            created_at=now,
            **values,
            **published,
        )
        await self._audit(session, actor, order, "order.create_activity")
        dto = order_dto(order)
        await self._run_hooks(self.on_published, session, dto)
        return dto

    async def _announce(self, session: AsyncSession, order: OrderDTO) -> None:
        """Tell the approved volunteers of the order's community (or its street) in its
        team, each with a Grab button — without the resident's address or phone: one
        campaign row in this transaction, its recipients written after the commit, a
        page at a time (bot/services/fanout/campaigns.py; the words: ``announcement``)."""
        _, area = await order_area(session, order.community_id, order.scope)
        await campaigns.start(
            session,
            campaigns.ORDER_ANNOUNCE,
            {"order": order.id},
            Volunteers(area.path, (order.team_id,) if order.team_id else ()),
            PRIORITY_BROADCAST,
            self.clock.now(),
        )

    async def announcement(
        self,
        session: AsyncSession,
        params: dict[str, Any],
        members: Sequence[Member],
        now: datetime,
    ) -> list[OrderAnnounced] | None:
        """The announcement for one page of the order's volunteers, from the order as
        it is now (its places taken, when grabbing opens, its scope). A filled order is
        still announced (a press offers the waitlist, and a place that frees opens it
        again); None once it cannot be grabbed at all (cancelled, expired, started):
        the volunteers not told yet are not told (as a held one would not be:
        bot/services/people/held.py)."""
        row = await orders_repo.get(session, int(params["order"]))
        if row is None or row.state not in GRABBABLE or now >= row.starts_at:
            return None
        order = order_dto(row)
        community, _ = await order_area(session, order.community_id, order.scope)
        category = (await org_repo.categories_by_codes(session)).get(order.category)
        kind = category_dto(category) if category else None
        place = unit_dto(community)
        points = self.place_points(order)
        return [OrderAnnounced(m.to, m.user_id, order, kind, place, now, points) for m in members]

    def local_moment(self, text: str) -> datetime:
        """``2026-12-03 14:00`` typed in the configured timezone, as an aware time."""
        return typed_moment(text, self.timezone, "opens_at")
