"""The review flows' questions: approve (places, points rate, team, guidance, when
grabbing opens, scope), reject (a reason), duplicate (the other order's number)."""

from __future__ import annotations

import re
from datetime import datetime

from bot.background import wake_sender
from bot.services.errors import DomainError, InvalidValue
from bot.services.orders import PLACES_MAX, Publication
from handlers.common import answer_error
from handlers.flow import Flow, Step, Turn, register_flow
from handlers.steps import grid

APPROVE = "review_approve"
REJECT = "review_reject"
DUPLICATE = "review_duplicate"
PLACE_CHOICES = (1, 2, 3, 5, 10, 20)


class PlacesStep(Step):
    name = "places"

    async def ask(self, turn: Turn) -> None:
        buttons = [turn.button(str(n), "n", n) for n in PLACE_CHOICES]
        await turn.show(turn.tr("review.ask_places", max=PLACES_MAX), turn.keyboard(grid(buttons)))

    async def _set(self, turn: Turn, value: str) -> None:
        if not value.strip().isdigit() or not 1 <= int(value) <= PLACES_MAX:
            raise InvalidValue("places", "range", min=1, max=PLACES_MAX)
        turn.data["places"] = int(value)
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
            rate = float(text.strip())
        except ValueError:
            raise InvalidValue("points_rate", "range") from None
        if not 0 < rate <= 1000:
            raise InvalidValue("points_rate", "range")
        turn.data["rate"] = rate
        await turn.advance()

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        turn.data["rate"] = None
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
        turn.data["team"] = int(arg) if arg.isdigit() and int(arg) else None
        await turn.advance()


class GuidanceStep(Step):
    name = "guidance"

    async def ask(self, turn: Turn) -> None:
        skip = turn.button(turn.tr.plain("button.skip"), "skip")
        await turn.show(turn.tr("review.ask_guidance"), turn.keyboard([[skip]]))

    async def on_text(self, turn: Turn, text: str) -> None:
        if not text.strip():
            raise InvalidValue("guidance", "empty")
        turn.data["guidance"] = text
        await turn.advance()

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        turn.data["guidance"] = None
        await turn.advance()


class OpensStep(Step):
    name = "opens"

    async def ask(self, turn: Turn) -> None:
        now = turn.button(turn.tr.plain("review.button_open_now"), "now")
        await turn.show(turn.tr("review.ask_opens"), turn.keyboard([[now]]))

    async def on_text(self, turn: Turn, text: str) -> None:
        turn.data["opens"] = turn.services.orders.local_moment(text).isoformat()
        await turn.advance()

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        turn.data["opens"] = None
        await turn.advance()


class ScopeStep(Step):
    name = "scope"

    async def ask(self, turn: Turn) -> None:
        rows = [
            [turn.button(turn.tr.plain("review.button_scope_community"), "s", "community")],
            [turn.button(turn.tr.plain("review.button_scope_street"), "s", "street")],
        ]
        await turn.show(turn.tr("review.ask_scope"), turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        turn.data["scope"] = arg
        await turn.advance()


async def _decided(turn: Turn, key: str, number: str) -> None:
    await turn.finish()
    await turn.say(turn.tr(key, number=number))
    wake_sender(turn.context.application)  # the requester (and volunteers) are told


async def _refused(turn: Turn, error: DomainError) -> None:
    if isinstance(error, InvalidValue):
        await turn.invalid(error)
        return
    await turn.finish()
    await answer_error(turn.update, turn.context, error)


async def approve_done(turn: Turn) -> None:
    d = turn.data
    publication = Publication(
        places=int(d["places"]),
        points_rate=d.get("rate"),
        team_id=d.get("team"),
        guidance=d.get("guidance"),
        opens_at=datetime.fromisoformat(d["opens"]) if d.get("opens") else None,
        scope=str(d.get("scope") or "community"),
    )
    try:
        order = await turn.services.orders.approve(turn.me, int(d["order"]), publication)
    except DomainError as error:
        await _refused(turn, error)
        return
    await _decided(turn, "review.approved", order.number)


class ReasonStep(Step):
    name = "reason"

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("review.ask_reason"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        try:
            order = await turn.services.orders.reject(turn.me, int(turn.data["order"]), text)
        except DomainError as error:
            await _refused(turn, error)
            return
        await _decided(turn, "review.rejected", order.number)


class DuplicateStep(Step):
    name = "original"

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("review.ask_duplicate"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        digits = re.sub(r"\D", "", text)
        if not digits or len(digits) > 12:
            raise InvalidValue("duplicate_of", "not_found")
        try:
            order = await turn.services.orders.mark_duplicate(
                turn.me, int(turn.data["order"]), int(digits)
            )
        except DomainError as error:
            await _refused(turn, error)
            return
        await _decided(turn, "review.duplicated", order.number)


async def _nothing(turn: Turn) -> None:  # the one-step flows finish in their step
    await turn.finish()


register_flow(
    Flow(
        APPROVE,
        [PlacesStep(), RateStep(), TeamStep(), GuidanceStep(), OpensStep(), ScopeStep()],
        approve_done,
    )
)
register_flow(Flow(REJECT, [ReasonStep()], _nothing))
register_flow(Flow(DUPLICATE, [DuplicateStep()], _nothing))
