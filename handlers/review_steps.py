"""The review flows' questions: approve (places, points rate, team, guidance, when
grabbing opens, scope), reject (a reason), duplicate (the other order's number), and
edit (any field the resident gave, asked with the request's own steps and checks)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.background import wake_sender
from bot.callback_data import decode_id
from bot.i18n import Markup
from bot.services.dto import CategoryDTO, OrderDTO
from bot.services.errors import DomainError, InvalidValue
from bot.services.notices import guidance_text, local_time
from bot.services.order_publish import (
    GUIDANCE_MAX,
    PLACES_MAX,
    Publication,
    check_opens,
    default_publication,
)
from bot.services.validation import free_text, typed_number
from handlers import request
from handlers.common import answer_error, error_text
from handlers.flow import Flow, Step, Turn, register_flow
from handlers.request_steps import (
    BehalfStep,
    BeneficiaryAddressStep,
    BeneficiaryNameStep,
    BeneficiaryPhoneStep,
    CategoryStep,
    DayStep,
    DescriptionStep,
    HelpersStep,
    PlaceStep,
    TimeStep,
)
from handlers.steps import PhoneStep, grid

APPROVE = "review_approve"
REJECT = "review_reject"
DUPLICATE = "review_duplicate"
EDIT = "review_edit"
PLACE_CHOICES = (1, 2, 3, 5, 10, 20)


class PlacesStep(Step):
    name = "places"

    async def ask(self, turn: Turn) -> None:
        buttons = [turn.button(str(n), "n", n) for n in PLACE_CHOICES]
        await turn.show(turn.tr("review.ask_places", max=PLACES_MAX), turn.keyboard(grid(buttons)))

    async def _set(self, turn: Turn, value: str) -> None:
        places = typed_number(value)
        if places is None or not 1 <= places <= PLACES_MAX:
            raise InvalidValue("places", "range", min=1, max=PLACES_MAX)
        turn.data["places"] = places
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
        turn.data["team"] = decode_id(arg) or None  # 0: any team
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
        turn.data["guidance"] = free_text(text, "guidance", GUIDANCE_MAX)  # asked again if bad
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
        moment = turn.services.orders.local_moment(text)
        # past, or after the start: said, and asked again here ("open now" is a button)
        check_opens(moment, await _starts_at(turn), turn.services.clock.now())
        turn.data["opens"] = moment.isoformat()
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


async def _category(turn: Turn) -> CategoryDTO | None:
    """The category of the order being published: a new activity's own answer, or the
    reviewed request's."""
    code = turn.data.get("category")
    if not code:
        code = (await turn.services.orders.get(int(turn.data["order"]))).category
    return await turn.services.org.category(str(code))  # type: ignore[no-any-return]


async def _starts_at(turn: Turn) -> datetime:
    """When the order being published starts: a new activity's own answer, or the
    reviewed request's."""
    if turn.data.get("starts_at"):
        return datetime.fromisoformat(str(turn.data["starts_at"]))
    return (await turn.services.orders.get(int(turn.data["order"]))).starts_at


def publication(d: dict[str, Any]) -> Publication:
    """What the publishing steps (places … scope) gathered."""
    return Publication(
        places=int(d["places"]),
        points_rate=d.get("rate"),
        team_id=d.get("team"),
        guidance=d.get("guidance"),
        opens_at=datetime.fromisoformat(d["opens"]) if d.get("opens") else None,
        scope=str(d.get("scope") or "community"),
    )


# the steps that publish an order: a reviewed request's, and a coordinator's own activity's
PUBLISH_STEPS = (PlacesStep(), RateStep(), TeamStep(), GuidanceStep(), OpensStep(), ScopeStep())


def opened_early(asked: Publication, order: OrderDTO) -> bool:
    """The opening time set had passed by the time of publishing: it opened at once."""
    return asked.opens_at is not None and order.opens_at is None


async def approve_done(turn: Turn) -> None:
    d = turn.data
    asked = publication(d)
    try:
        order = await turn.services.orders.approve(turn.me, int(d["order"]), asked)
    except DomainError as error:
        await _refused(turn, error)
        return
    await _decided(turn, "review.approved", order.number)
    if opened_early(asked, order):
        await turn.say(turn.tr("review.opened_early"))


# ---- publish with these defaults: what will be published, to confirm or change --------

SUMMARY_EDITS = (  # (button label, the step it asks again)
    ("review.edit_places", "places"),
    ("review.edit_rate", "rate"),
    ("review.edit_team", "team"),
    ("review.edit_guidance", "guidance"),
    ("review.edit_opens", "opens"),
    ("review.edit_scope", "scope"),
)
SCOPE_LABELS = {
    "community": "review.button_scope_community",
    "street": "review.button_scope_street",
}


def defaults_data(order: OrderDTO) -> dict[str, object]:
    """The approve flow's data for "publish with these defaults"
    (bot/services/orders.py default_publication), shown by its summary step."""
    p = default_publication(order)
    return {
        "order": order.id,
        "defaults": True,
        "places": p.places,
        "rate": p.points_rate,
        "team": p.team_id,
        "guidance": p.guidance,
        "opens": p.opens_at.isoformat() if p.opens_at else None,
        "scope": p.scope,
    }


class PublishSummaryStep(Step):
    """Everything that will be published, with "publish" and a button per setting
    (asked by its own step, then back here). Only reached from "publish with these
    defaults": the step-by-step approval publishes after its last question."""

    name = "summary"

    def applies(self, turn: Turn) -> bool:
        return bool(turn.data.get("defaults"))

    async def ask(self, turn: Turn) -> None:
        b, t, d = turn.button, turn.tr, turn.data
        order = await turn.services.orders.get(int(d["order"]))
        p = publication(d)
        zone = turn.services.orders.timezone
        team = None
        if p.team_id is not None:
            team = next((x for x in await turn.services.org.teams() if x.id == p.team_id), None)
        category = await turn.services.org.category(order.category)
        rate = turn.services.orders.default_rate if p.points_rate is None else p.points_rate
        opens = t.plain("review.defaults_open_now")
        if p.opens_at is not None:
            opens = t.plain("review.defaults_opens", opens=local_time(p.opens_at, zone))
        text = t(
            "review.defaults",
            number=order.number,
            places=p.places,
            rate=f"{rate:g}",
            team=team.name(t.language) if team else t.plain("review.button_any_team"),
            opens=opens,
            scope=t.plain(SCOPE_LABELS.get(p.scope, SCOPE_LABELS["community"])),
            guidance=guidance_text(t, category, p.guidance),
        )
        edits = [b(t.plain(label), "edit", step) for label, step in SUMMARY_EDITS]
        rows = [[b(t.plain("review.button_publish"), "publish")]]
        rows += [edits[i : i + 2] for i in range(0, len(edits), 2)]
        await turn.show(text, turn.keyboard(rows, back=False))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "edit" and arg in {step for _, step in SUMMARY_EDITS}:
            await turn.edit_field(arg)
        elif action == "publish":
            await approve_done(turn)
        else:
            await turn.ask_again()


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
        [*PUBLISH_STEPS, PublishSummaryStep()],
        approve_done,
    )
)
register_flow(Flow(REJECT, [ReasonStep()], _nothing))
register_flow(Flow(DUPLICATE, [DuplicateStep()], _nothing))


# ---- edit: the reviewer corrects what the resident gave --------------------------------


def edit_data(order: OrderDTO, timezone: str) -> dict[str, object]:
    """The edit flow's data: the request as the request flow holds it, and a copy of
    it to tell what the reviewer changed."""
    values: dict[str, object] = {
        "category": order.category,
        "description": order.description,
        "day": order.starts_at.astimezone(ZoneInfo(timezone)).date().isoformat(),
        "starts_at": order.starts_at.isoformat(),
        "ends_at": order.ends_at.isoformat(),
        "typed_window": False,
        "community_id": order.community_id,
        "address": order.address,
        "latitude": order.latitude,
        "longitude": order.longitude,
        "phone": order.contact_phone,
        "helpers": order.helpers_requested,
        "behalf": order.beneficiary_name is not None,
        "b_name": order.beneficiary_name,
        "b_phone": order.beneficiary_phone,
        "b_address": order.beneficiary_address,
    }
    return {"order": order.id, "number": order.number, **values, "original": dict(values)}


def changes(data: dict[str, object]) -> dict[str, object]:
    """The OrderForm fields the reviewer changed."""
    original = request.form_from(dict(data["original"]))  # type: ignore[call-overload]
    edited = request.form_from(data)
    return {
        name: value
        for name, value in vars(edited).items()
        if name != "community_id" and value != getattr(original, name)
    }


class EditChooseStep(Step):
    """The request as it stands, a button per field, and "save"."""

    name = "choose"

    async def ask(self, turn: Turn) -> None:
        b, t = turn.button, turn.tr
        edits = [b(t.plain(request.EDIT_LABELS[key]), "edit", key) for key in request.EDITS]
        rows = [edits[i : i + 2] for i in range(0, len(edits), 2)]
        rows.append([b(t.plain("review.button_save_edit"), "save")])
        title = t("review.edit_title", number=turn.data["number"])
        await turn.show(
            title + "\n\n" + await request.summary(turn), turn.keyboard(rows, back=False)
        )

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "edit" and arg in request.EDITS:
            first, last = request.EDITS[arg]
            await turn.edit_field(first, until=last)
        elif action == "save":
            await save_edit(turn)
        else:
            await turn.ask_again()


class EditPhoneStep(PhoneStep):
    """The resident's contact phone, typed (or a contact card shared) by the reviewer:
    the same check as the resident's own step, not the reviewer's own number."""

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("review.ask_phone"), turn.keyboard([]))

    async def on_contact(self, turn: Turn, phone: str, contact_user_id: int | None) -> None:
        await self._accept(turn, phone)


async def save_edit(turn: Turn) -> None:
    try:
        order, changed = await turn.services.orders.edit_request(
            turn.me, int(turn.data["order"]), changes(turn.data)
        )
    except InvalidValue as error:
        if error.field not in ("starts_at", "ends_at"):
            raise  # said, and the summary shown again (handlers/flow.py)
        await turn.say(error_text(turn.tr, error))  # the time passed: ask for it again
        await turn.edit_field("day", until="time")
        return
    except DomainError as error:
        await _refused(turn, error)
        return
    await turn.finish()
    if not changed:
        await turn.show(turn.tr("review.edit_nothing", number=order.number))
        return
    await turn.show(turn.tr("review.edited", number=order.number))
    wake_sender(turn.context.application)  # the requester is told what changed


async def _back_to_choose(turn: Turn) -> None:
    await turn.goto("choose", remember=False)


register_flow(
    Flow(
        EDIT,
        [
            EditChooseStep(),
            CategoryStep(),
            DescriptionStep(),
            DayStep(),
            TimeStep(),
            PlaceStep(),
            EditPhoneStep(),
            HelpersStep(),
            BehalfStep(),
            BeneficiaryNameStep(),
            BeneficiaryPhoneStep(),
            BeneficiaryAddressStep(),
        ],
        _back_to_choose,
        cancel_note="review.edit_cancelled",
    )
)
