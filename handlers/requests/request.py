"""/request (点单): a registered resident — or a coordinator, for someone in their unit —
asks for help, for themself or on behalf of someone without Telegram (the requester
gets the updates). The flow's draft lives in the database (handlers/flows/engine.py), so a
restart loses nothing; the questions are in handlers/requests/steps.py (a coordinator's
choice of community: handlers/requests/community.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.background import wake_sender
from bot.i18n import Markup
from bot.messages.common import local_time
from bot.services.kernel.errors import InvalidValue
from bot.services.requests.forms import OrderForm
from handlers.common import Reply, domain_errors, error_text, me, tr
from handlers.flows.engine import Flow, Step, Turn, register_flow, start_flow
from handlers.flows.questions import PhoneStep
from handlers.requests.community import (
    RequestCommunityStep,
    RequestStreetStep,
    first_step,
    request_start,
)
from handlers.requests.steps import (
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

FLOW = "request"
EDITS = {  # edit button → (first step, last step) asked again
    "category": ("category", "category"),
    "description": ("description", "description"),
    "day": ("day", "time"),
    "place": ("place", "place"),
    "phone": ("phone", "phone"),
    "helpers": ("helpers", "helpers"),
    "behalf": ("behalf", "b_address"),
}
EDIT_LABELS = {
    "category": "request.edit_category",
    "description": "request.edit_description",
    "day": "request.edit_when",
    "place": "request.edit_place",
    "phone": "request.edit_phone",
    "helpers": "request.edit_helpers",
    "behalf": "request.edit_behalf",
}


def window_end(starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """The end as the summary shows it after the start: its time, with the date too
    when the window runs over midnight."""
    start, end = local_time(starts_at, timezone), local_time(ends_at, timezone)
    return end[-5:] if end[:10] == start[:10] else end


async def summary(turn: Turn) -> str:
    d, t = turn.data, turn.tr
    category = await turn.services.org.category(str(d.get("category")))
    community = await turn.services.org.unit(int(d["community_id"]))
    zone = turn.services.orders.timezone
    starts_at = datetime.fromisoformat(d["starts_at"])
    ends_at = datetime.fromisoformat(d["ends_at"])
    text = t(
        "request.summary",
        category=category.name(t.language) if category else d.get("category"),
        description=d["description"],
        start=local_time(starts_at, zone),
        end=window_end(starts_at, ends_at, zone),
        community=community.name(t.language) if community else "",
        address=d["address"],
        phone=d["phone"],
        helpers=d["helpers"],
    )
    if d.get("behalf"):
        behalf = t(
            "request.summary_behalf", name=d["b_name"], phone=d["b_phone"], address=d["b_address"]
        )
        text = Markup(text + "\n" + behalf)
    return text


class ConfirmStep(Step):
    name = "confirm"

    async def ask(self, turn: Turn) -> None:
        b, t = turn.button, turn.tr
        edits = [b(t.plain(EDIT_LABELS[key]), "edit", key) for key in EDITS]
        rows = [[b(t.plain("request.button_submit"), "confirm")]]
        rows += [edits[i : i + 2] for i in range(0, len(edits), 2)]
        await turn.show(await summary(turn), turn.keyboard(rows, back=False))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "edit" and arg in EDITS:
            first, last = EDITS[arg]
            await turn.edit_field(first, until=last)
        elif action == "confirm":
            await turn.advance()  # the last step: the flow is done
        else:
            await turn.ask_again()


def form(turn: Turn) -> OrderForm:
    return form_from(turn.data)


def form_from(d: dict[str, Any]) -> OrderForm:
    """The request as the flow's data holds it (also the review's edit flow)."""
    behalf = bool(d.get("behalf"))
    return OrderForm(
        category=str(d["category"]),
        description=str(d["description"]),
        starts_at=datetime.fromisoformat(d["starts_at"]),
        ends_at=datetime.fromisoformat(d["ends_at"]),
        community_id=int(d["community_id"]),
        address=str(d["address"]),
        contact_phone=str(d["phone"]),
        helpers_requested=int(d["helpers"]),
        latitude=d.get("latitude"),
        longitude=d.get("longitude"),
        beneficiary_name=d.get("b_name") if behalf else None,
        beneficiary_phone=d.get("b_phone") if behalf else None,
        beneficiary_address=d.get("b_address") if behalf else None,
        title=d.get("title"),
    )


async def ask_time_again(turn: Turn, error: InvalidValue) -> None:
    """The chosen time passed while the user answered the last questions: say so and
    ask for the day and time again (then back to where they were). Other errors go on."""
    if error.field not in ("starts_at", "ends_at"):
        raise error
    await turn.say(error_text(turn.tr, error))
    await turn.edit_field("day", until="time")


async def done(turn: Turn) -> None:
    """Confirmed: the request is stored and numbered; the resident gets the number."""
    try:
        order = await turn.services.orders.create_request(turn.me, form(turn))
    except InvalidValue as error:
        await ask_time_again(turn, error)
        return
    await turn.finish()
    await turn.show(turn.tr("request.created", number=order.number))
    wake_sender(turn.context.application)  # the community's coordinators are told


# what, when, where and whom to call (a coordinator's own activity asks the same of
# the activity: handlers/requests/activity.py)
ORDER_STEPS = (
    RequestStreetStep(),
    RequestCommunityStep(),
    CategoryStep(note="request.expect"),
    DescriptionStep(),
    DayStep(),
    TimeStep(),
    PlaceStep(),
    PhoneStep(),
)

register_flow(
    Flow(
        FLOW,
        [
            *ORDER_STEPS,
            HelpersStep(),
            BehalfStep(),
            BeneficiaryNameStep(),
            BeneficiaryPhoneStep(),
            BeneficiaryAddressStep(),
            ConfirmStep(),
        ],
        done=done,
        cancel_note="request.cancelled",
    )
)


async def start_request(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = me(context)
    data = request_start(user.coordinator_unit, user.community_id)
    if data is None:
        await Reply(update, context).send(tr(context)("request.register_first"))
        return
    await start_flow(update, context, FLOW, data, step=first_step(data))


HANDLERS = [CommandHandler("request", domain_errors(start_request))]
