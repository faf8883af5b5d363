"""A coordinator asks on someone's behalf (a request, or their own activity): in which
community of their unit? A district's coordinator picks the street first. Also where
the request and activity flows begin, and their first data (a resident's community is
their own)."""

from __future__ import annotations

from typing import TypeVar

from bot.callback_data import decode_id
from bot.services.kernel.dto import UnitDTO
from bot.services.kernel.errors import InvalidValue, NotAllowed
from bot.services.kernel.states import UnitKind
from bot.services.requests.drafts import OrderAnswers
from handlers.flows.engine import Step
from handlers.flows.questions import grid
from handlers.flows.turn import Turn

D = TypeVar("D", bound=OrderAnswers)


def coordinator_unit(turn: Turn) -> UnitDTO:
    unit = turn.me.coordinator_unit
    if unit is None:  # no longer a coordinator since the flow began
        raise NotAllowed("coordinators only")
    return unit


class RequestStreetStep(Step):
    """A district's coordinator first picks the street."""

    name = "r_street"

    def applies(self, turn: Turn) -> bool:
        unit = turn.me.coordinator_unit
        return turn.draft_as(OrderAnswers).choose_community and (
            unit is not None and unit.kind == UnitKind.DISTRICT.value
        )

    async def ask(self, turn: Turn) -> None:
        streets = await turn.services.org.children(coordinator_unit(turn).id, UnitKind.STREET)
        buttons = [turn.button(s.name(turn.tr.language), "pick", s.id) for s in streets]
        await turn.show(turn.tr("request.ask_street"), turn.keyboard(grid(buttons)))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        street_id = decode_id(arg)
        if action != "pick" or street_id is None:
            await turn.ask_again()
            return
        street = await turn.services.org.require_child(
            coordinator_unit(turn).id, street_id, UnitKind.STREET, "street"
        )
        turn.draft_as(OrderAnswers).street_id = street.id
        await turn.advance()


class RequestCommunityStep(Step):
    """A coordinator above a community picks the community the request is for."""

    name = "r_community"

    def applies(self, turn: Turn) -> bool:
        return turn.draft_as(OrderAnswers).choose_community

    async def ask(self, turn: Turn) -> None:
        street_id = turn.draft_as(OrderAnswers).street_id or 0
        communities = await turn.services.org.children(street_id, UnitKind.COMMUNITY)
        buttons = [turn.button(c.name(turn.tr.language), "pick", c.id) for c in communities]
        await turn.show(turn.tr("request.ask_community"), turn.keyboard(grid(buttons)))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        community_id = decode_id(arg)
        if action != "pick" or community_id is None:
            await turn.ask_again()
            return
        community = await turn.services.org.require_child(
            turn.draft_as(OrderAnswers).street_id or 0,
            community_id,
            UnitKind.COMMUNITY,
            "community",
        )
        if not coordinator_unit(turn).contains(community):
            raise InvalidValue("community", "not_found")
        turn.draft_as(OrderAnswers).community_id = community.id
        await turn.advance()


def request_start(draft: type[D], user_unit: UnitDTO | None, community_id: int | None) -> D | None:
    """The request flow's (or the activity flow's) first answers: a coordinator's
    community is the one of their unit, or chosen among its communities; a resident's
    is their own. None: the user has no community yet (they register first)."""
    if user_unit is not None:
        if user_unit.kind == UnitKind.COMMUNITY.value:
            return draft(community_id=user_unit.id)
        if user_unit.kind == UnitKind.GRID.value and user_unit.parent_id is not None:
            return draft(community_id=user_unit.parent_id)
        street = user_unit.id if user_unit.kind == UnitKind.STREET.value else None
        return draft(choose_community=True, street_id=street)
    if community_id is None:
        return None
    return draft(community_id=community_id)


def first_step(draft: OrderAnswers) -> str:
    """Where the request flow (and the activity flow) begins: choosing the community
    (from the street's, or from the district's streets), else the kind of help."""
    if draft.choose_community:
        return "r_community" if draft.street_id else "r_street"
    return "category"
