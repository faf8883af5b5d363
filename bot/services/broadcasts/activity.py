"""The activity a broadcast may carry (its places grabbed from the broadcast's message):
the request's answers collected while composing, turned into the order to create with
the broadcast — its title the words' first line, its text the rest — for the audience's
unit: its community, or a community of its street (whoever gets the broadcast may grab
a place, nobody else)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.broadcasts.drafts import BroadcastDraft
from bot.services.broadcasts.text import first_line, plain_text
from bot.services.kernel.drafts import needed
from bot.services.kernel.dto import UnitDTO
from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.states import OrderScope, UnitKind
from bot.services.requests.forms import DESCRIPTION_MAX, TITLE_MAX, OrderForm
from bot.services.requests.publish import Publication
from storage.repositories import org as org_repo


async def carried_activity(
    session: AsyncSession, draft: BroadcastDraft, text: str, unit: UnitDTO
) -> tuple[OrderForm, Publication]:
    """The order and its publication; InvalidValue(places, audience) for an audience
    above a street, InvalidValue(community, not_found) for a community outside it."""
    if unit.kind not in (UnitKind.COMMUNITY.value, UnitKind.STREET.value):
        raise InvalidValue("places", "audience")
    # its first line its title, the rest its description; words of one line: no
    # title (its place message would say them twice)
    lines = [line.strip() for line in plain_text(text).splitlines() if line.strip()]
    title = first_line(text, TITLE_MAX) if len(lines) > 1 else None
    described = "\n".join(lines[1:] if title else lines)
    answers = draft.model_copy(
        update={
            "title": title,
            "description": described[:DESCRIPTION_MAX],
            "helpers": draft.places,
        }
    )
    form = answers.form()
    community = unit.kind == UnitKind.COMMUNITY.value
    if community and form.community_id != unit.id:
        raise InvalidValue("community", "not_found")
    if not community:  # one of the street's communities
        chosen = await org_repo.unit(session, form.community_id)
        if chosen is None or chosen.parent_id != unit.id:
            raise InvalidValue("community", "not_found")
    scope = OrderScope.COMMUNITY if community else OrderScope.STREET
    return form, Publication(places=needed(draft.places, "places"), scope=scope.value)
