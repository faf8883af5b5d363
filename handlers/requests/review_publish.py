"""The questions that publish an order (places, points rate, team, guidance, when
grabbing opens, scope): a reviewed request's, step by step (approve), and a
coordinator's own activity's (handlers/requests/activity.py); then the approval itself."""

from __future__ import annotations

from datetime import datetime

from bot.callback_data import decode_id
from bot.i18n import Markup
from bot.services.kernel.drafts import needed
from bot.services.kernel.dto import CategoryDTO, OrderDTO
from bot.services.kernel.errors import DomainError, InvalidValue
from bot.services.kernel.states import UnitKind
from bot.services.kernel.validation import typed_number
from bot.services.requests.drafts import ApproveDraft, OrderAnswers, PublishAnswers
from bot.services.requests.publish import PLACES_MAX, Publication, check_opens
from handlers.flows.engine import Step
from handlers.flows.questions import grid
from handlers.flows.turn import Turn
from handlers.requests.review_outcome import decided

APPROVE = "review_approve"
PLACE_CHOICES = (1, 2, 3, 5, 10, 20)


def answers(turn: Turn) -> PublishAnswers:
    return turn.draft_as(PublishAnswers)


class PlacesStep(Step):
    name = "places"

    async def ask(self, turn: Turn) -> None:
        buttons = [turn.button(str(n), "n", n) for n in PLACE_CHOICES]
        await turn.show(turn.tr("review.ask_places", max=PLACES_MAX), turn.keyboard(grid(buttons)))

    async def _set(self, turn: Turn, value: str) -> None:
        places = typed_number(value)
        if places is None:
            raise InvalidValue("places", "range", min=1, max=PLACES_MAX)
        answers(turn).places = places  # checked by the draft (1 … max)
        await turn.advance()

    async def on_text(self, turn: Turn, text: str) -> None:
        await self._set(turn, text)

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        await self._set(turn, arg)


class RateStep(Step):
    name = "rate"

    async def ask(self, turn: Turn) -> None:
        rate = turn.services.orders.default_rate
        default = turn.button(turn.tr.plain("review.button_default_rate", rate=rate), "default")
        await turn.show(turn.tr("review.ask_rate", rate=rate), turn.keyboard([[default]]))

    async def on_text(self, turn: Turn, text: str) -> None:
        try:
            typed = float(text.strip().replace(",", "."))
        except ValueError:
            typed = float("nan")  # not a number: refused with the range to give
        # [points] min_rate … max_rate, said in the reply when outside
        answers(turn).rate = turn.services.orders.check_rate(typed)
        await turn.advance()

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        answers(turn).rate = None
        await turn.advance()


class TeamStep(Step):
    name = "team"

    async def ask(self, turn: Turn) -> None:
        teams = await turn.services.org.teams()
        language = turn.tr.language
        buttons = [turn.button(t.name(language), "t", t.id) for t in teams]
        none = turn.button(turn.tr.plain("review.button_any_team"), "t", 0)
        await turn.show(turn.tr("review.ask_team"), turn.keyboard([[none], *grid(buttons)]))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        answers(turn).team = decode_id(arg) or None  # 0: any team
        await turn.advance()


class GuidanceStep(Step):
    """What the coordinator adds to the category's guidance (shown first: it is what
    volunteers read anyway)."""

    name = "guidance"

    async def ask(self, turn: Turn) -> None:
        skip = turn.button(turn.tr.plain("button.skip"), "skip")
        text = turn.tr("review.ask_guidance")
        category = await _category(turn)
        if category is not None and category.guidance(turn.tr.language):
            language = turn.tr.language
            told = turn.tr(
                "review.category_guidance",
                name=category.name(language),
                guidance=category.guidance(language),
            )
            text = Markup(f"{told}\n\n{text}")
        await turn.show(text, turn.keyboard([[skip]]))

    async def on_text(self, turn: Turn, text: str) -> None:
        answers(turn).guidance = text  # checked by the draft; asked again if bad
        await turn.advance()

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        answers(turn).guidance = None
        await turn.advance()


class OpensStep(Step):
    name = "opens"

    async def ask(self, turn: Turn) -> None:
        now = turn.button(turn.tr.plain("review.button_open_now"), "now")
        await turn.show(turn.tr("review.ask_opens"), turn.keyboard([[now]]))

    async def on_text(self, turn: Turn, text: str) -> None:
        moment = turn.services.orders.local_moment(text)
        # past, or after the start: said, and asked again here ("open now" is a button)
        check_opens(moment, await _starts_at(turn), turn.services.clock.now())
        answers(turn).opens = moment
        await turn.advance()

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        answers(turn).opens = None
        await turn.advance()


class ScopeStep(Step):
    name = "scope"

    async def ask(self, turn: Turn) -> None:
        rows = [
            [turn.button(turn.tr.plain("review.button_scope_community"), "s", "community")],
            [turn.button(turn.tr.plain("review.button_scope_street"), "s", "street")],
        ]
        mine = turn.me.coordinator_unit
        if mine is not None and mine.kind == UnitKind.DISTRICT.value:  # theirs to reach
            rows.append(
                [turn.button(turn.tr.plain("review.button_scope_district"), "s", "district")]
            )
        await turn.show(turn.tr("review.ask_scope"), turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        answers(turn).scope = arg
        await turn.advance()


async def _category(turn: Turn) -> CategoryDTO | None:
    """The category of the order being published: a new activity's own answer, or the
    reviewed request's."""
    code = turn.draft.category if isinstance(turn.draft, OrderAnswers) else None
    if not code:
        order_id = needed(answers(turn).order, "order")
        code = (await turn.services.orders.get(order_id)).category
    return await turn.services.org.category(str(code))  # type: ignore[no-any-return]


async def _starts_at(turn: Turn) -> datetime:
    """When the order being published starts: a new activity's own answer, or the
    reviewed request's."""
    if isinstance(turn.draft, OrderAnswers) and turn.draft.starts_at:
        return turn.draft.starts_at
    order_id = needed(answers(turn).order, "order")
    return (await turn.services.orders.get(order_id)).starts_at  # type: ignore[no-any-return]


# the steps that publish an order: a reviewed request's, and a coordinator's own activity's
PUBLISH_STEPS = (PlacesStep(), RateStep(), TeamStep(), GuidanceStep(), OpensStep(), ScopeStep())


def opened_early(asked: Publication, order: OrderDTO) -> bool:
    """The opening time set had passed by the time of publishing: it opened at once."""
    return asked.opens_at is not None and order.opens_at is None


async def approve_done(turn: Turn) -> None:
    d = turn.draft_as(ApproveDraft)
    asked = d.publication()
    try:
        order = await turn.services.orders.approve(
            turn.me, needed(d.order, "order"), asked, draft_of=turn.me.id
        )
    except DomainError as error:
        await turn.refused(error)
        return
    await decided(turn, "review.approved", order.number)
    if opened_early(asked, order):
        await turn.say(turn.tr("review.opened_early"))
