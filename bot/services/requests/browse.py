"""Browsing open orders (/orders): what a volunteer may take, in their community or
their street.
"""

from __future__ import annotations

from bot.services.kernel.dto import OrderDTO, Page, Role, UserDTO
from bot.services.kernel.errors import InvalidValue, NotFound
from bot.services.kernel.orders import order_dto
from bot.services.kernel.paging import fetch_page
from bot.services.kernel.scope import require_role
from bot.services.requests.common import PAGE_SIZE, OrderBase
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo
from storage.repositories import volunteers as volunteers_repo

BROWSE_AREAS = ("community", "street")


class OrderBrowse(OrderBase):
    """The volunteer's list of orders open to them."""

    async def browse(self, actor: UserDTO, area: str, page: int = 0) -> Page[OrderDTO]:
        """Open orders the volunteer may take (``area``): those of their community
        (``community``), or every one open to them in their street (``street``: their
        community's and the street-wide orders of the others), in the teams they are in;
        nearest start first. An order for another community is not listed: its
        volunteers alone may take it (ClaimService refuses the others)."""
        require_role(actor, Role.VOLUNTEER)
        if area not in BROWSE_AREAS:
            raise InvalidValue("scope", "unknown")
        async with self.db.read() as session:
            profile = await volunteers_repo.profile(session, actor.id)
            if profile is None:
                raise NotFound("volunteer")
            community = await org_repo.unit(session, profile.community_id)
            if community is None:
                raise NotFound("community")
            street = district = None
            if area == "street" and community.parent_id is not None:
                street = await org_repo.unit(session, community.parent_id)
            if street is not None and street.parent_id is not None:
                district = await org_repo.unit(session, street.parent_id)
            street_path = street.path if street is not None else None
            district_path = district.path if district is not None else None
            team_ids = await volunteers_repo.team_ids(session, actor.id)
            now = self.clock.now()
            rows, page, pages, total = await fetch_page(
                lambda offset, limit: orders_repo.open_for(
                    session, community.id, street_path, team_ids, now, offset, limit, district_path
                ),
                page,
                PAGE_SIZE,
            )
        return Page(tuple(order_dto(o) for o in rows), page, pages, total)
