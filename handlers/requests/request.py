"""/request (点单): a registered resident — or a coordinator, for someone in their unit —
asks for help, for themself or on behalf of someone without Telegram (the requester
gets the updates). The flow's draft lives in the database (handlers/flows/engine.py), so a
restart loses nothing; the questions are in handlers/requests/steps.py (a coordinator's
choice of community: handlers/requests/community.py)."""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.background import wake_sender
from bot.i18n import Markup
from bot.messages.common import local_time
from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import InvalidValue
from bot.services.requests.drafts import OrderAnswers, RequestDraft
from handlers.common import Reply, domain_errors, error_text, me, tr
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow, Step
from handlers.flows.questions import PhoneStep
from handlers.flows.turn import Turn
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
    d, t = turn.draft_as(OrderAnswers), turn.tr
    category = await turn.services.org.category(str(d.category))
    community = await turn.services.org.unit(needed(d.community_id, "community"))
    zone = turn.services.orders.timezone
    starts_at, ends_at = needed(d.starts_at, "starts_at"), needed(d.ends_at, "ends_at")
    text = t(
        "request.summary",
        category=category.name(t.language) if category else d.category,
        description=needed(d.description, "description"),
        start=local_time(starts_at, zone),
        end=window_end(starts_at, ends_at, zone),
        community=community.name(t.language) if community else "",
        address=needed(d.address, "address"),
        phone=needed(d.phone, "phone"),
        helpers=needed(d.helpers, "helpers"),
    )
    if d.behalf:
        behalf = t("request.summary_behalf", name=d.b_name, phone=d.b_phone, address=d.b_address)
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


async def ask_time_again(turn: Turn, error: InvalidValue) -> None:
    """The chosen time passed while the user answered the last questions: say so and
    ask for the day and time again (then back to where they were). Other errors go on."""
    if error.field not in ("starts_at", "ends_at"):
        raise error
    await turn.say(error_text(turn.tr, error))
    await turn.edit_field("day", until="time")


async def done(turn: Turn) -> None:
    """Confirmed: the request is stored and numbered, and its draft cleared in the same
    transaction; the resident gets the number."""
    form = turn.draft_as(RequestDraft).form()
    try:
        order = await turn.services.orders.create_request(turn.me, form, draft_of=turn.me.id)
    except InvalidValue as error:
        await ask_time_again(turn, error)
        return
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

FLOWS = (
    Flow(
        FLOW,
        RequestDraft,
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
    ),
)


async def start_request(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = me(context)
    draft = request_start(RequestDraft, user.coordinator_unit, user.community_id)
    if draft is None:
        await Reply(update, context).send(tr(context)("request.register_first"))
        return
    await start_flow(update, context, FLOW, draft, step=first_step(draft))


HANDLERS = [CommandHandler("request", domain_errors(start_request))]
