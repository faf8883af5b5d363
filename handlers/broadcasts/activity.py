"""/broadcast's activity: places grabbed from the broadcast's message. Asked when the
audience is a street or a community: how many places (or none); then what a request
asks, about the activity — its community (the audience's, or one of its street's), its
kind, the day and window, the place, a contact phone — by the request's own steps
(handlers/requests/steps.py), only when places were given. Its title and text are the
broadcast's words; it is created with the broadcast, in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence

from bot.callback_data import decode_id
from bot.i18n import Markup
from bot.messages.common import local_time
from bot.services.broadcasts.drafts import BroadcastDraft
from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.states import UnitKind
from bot.services.kernel.validation import typed_number
from bot.services.requests.publish import PLACES_MAX
from handlers.flows.engine import Step
from handlers.flows.questions import PhoneStep, grid
from handlers.flows.turn import Turn
from handlers.requests.request import window_end
from handlers.requests.steps import CategoryStep, DayStep, PlaceStep, TimeStep

CHOICES = (10, 20, 50)
WITH_ACTIVITY = (UnitKind.STREET.value, UnitKind.COMMUNITY.value)


def draft(turn: Turn) -> BroadcastDraft:
    return turn.draft_as(BroadcastDraft)


class PlacesStep(Step):
    name = "activity_places"

    def applies(self, turn: Turn) -> bool:
        return draft(turn).unit_kind in WITH_ACTIVITY

    async def ask(self, turn: Turn) -> None:
        buttons = [turn.button(str(n), "n", n) for n in CHOICES]
        none = turn.button(turn.tr.plain("broadcast.button_no_places"), "none")
        rows = [*grid(buttons, 3), [none]]
        await turn.show(turn.tr("broadcast.ask_places", max=PLACES_MAX), turn.keyboard(rows))

    async def _set(self, turn: Turn, places: int | None) -> None:
        d = draft(turn)
        if places is None:
            raise InvalidValue("places", "range", min=1, max=PLACES_MAX)
        d.places = places  # checked by the draft (1 … max)
        d.helpers = places
        if d.unit_kind == UnitKind.COMMUNITY.value:
            d.community_id = d.unit_id  # the audience's own
        await turn.advance()

    async def on_text(self, turn: Turn, text: str) -> None:
        await self._set(turn, typed_number(text))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "none":
            draft(turn).places = None
            await turn.advance()
        elif action == "n":
            await self._set(turn, decode_id(arg))
        else:
            await turn.ask_again()


class CommunityStep(Step):
    """The activity's community, among the audience street's."""

    name = "activity_community"

    def applies(self, turn: Turn) -> bool:
        d = draft(turn)
        return d.places is not None and d.unit_kind == UnitKind.STREET.value

    async def ask(self, turn: Turn) -> None:
        lang = turn.me.language
        communities = await turn.services.org.children(draft(turn).unit_id or 0)
        buttons = [
            turn.button(c.name(lang), "pick", c.id)
            for c in communities
            if c.kind == UnitKind.COMMUNITY.value
        ]
        await turn.show(turn.tr("broadcast.ask_activity_community"), turn.keyboard(grid(buttons)))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        d = draft(turn)
        community_id = decode_id(arg)
        if action != "pick" or community_id is None:
            await turn.ask_again()
            return
        community = await turn.services.org.require_child(
            d.unit_id or 0, community_id, UnitKind.COMMUNITY, "community"
        )
        d.community_id = community.id
        await turn.advance()


class ForActivity(Step):
    """A request's step, asked only when the broadcast carries an activity."""

    def __init__(self, inner: Step) -> None:
        self.inner = inner
        self.name = inner.name

    def applies(self, turn: Turn) -> bool:
        return draft(turn).places is not None and self.inner.applies(turn)

    async def ask(self, turn: Turn) -> None:
        await self.inner.ask(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        await self.inner.on_text(turn, text)

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        await self.inner.on_button(turn, action, arg)

    async def on_contact(self, turn: Turn, phone: str, contact_user_id: int | None) -> None:
        await self.inner.on_contact(turn, phone, contact_user_id)

    async def on_location(self, turn: Turn, latitude: float, longitude: float) -> None:
        await self.inner.on_location(turn, latitude, longitude)


async def activity_summary(turn: Turn) -> Markup:
    """The activity, as the confirmation shows it: places, kind, when, where, whom to call."""
    d, t = draft(turn), turn.tr
    category = await turn.services.org.category(str(d.category))
    community = await turn.services.org.unit(needed(d.community_id, "community"))
    zone = turn.services.orders.timezone
    starts_at, ends_at = needed(d.starts_at, "starts_at"), needed(d.ends_at, "ends_at")
    places = needed(d.places, "places")
    return t.ngettext(
        "broadcast.confirm_activity",
        places,
        places=places,
        category=category.name(t.language) if category else d.category,
        start=local_time(starts_at, zone),
        end=window_end(starts_at, ends_at, zone),
        community=community.name(t.language) if community else "",
        address=needed(d.address, "address"),
        phone=needed(d.phone, "phone"),
    )


ACTIVITY_STEPS: Sequence[Step] = (
    PlacesStep(),
    CommunityStep(),
    ForActivity(CategoryStep("activity.ask_category")),
    ForActivity(DayStep()),
    ForActivity(TimeStep()),
    ForActivity(PlaceStep("activity.ask_place")),
    ForActivity(PhoneStep()),
)
