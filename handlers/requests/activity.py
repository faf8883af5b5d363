"""A coordinator's own activity (e.g. 浓情重阳节·温暖志愿行, 20 places): /activity asks
about the activity what a resident's request asks about the help (the community among
the coordinator's, the kind, its title and text, when, where, a contact phone), then
what publishing asks (places, points rate, team, guidance, when grabbing opens, who is
told), and publishes it at once — no review; the volunteers are told (outbox)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.background import wake_sender
from bot.services.kernel.dto import Role
from bot.services.kernel.errors import InvalidValue, NotAllowed
from bot.services.requests.drafts import ActivityDraft
from handlers.common import Reply, domain_errors, me, tr
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow
from handlers.flows.questions import PhoneStep
from handlers.flows.turn import Turn
from handlers.requests import request
from handlers.requests.community import (
    RequestCommunityStep,
    RequestStreetStep,
    first_step,
    request_start,
)
from handlers.requests.review_publish import PUBLISH_STEPS, opened_early
from handlers.requests.steps import (
    CategoryStep,
    DayStep,
    DescriptionStep,
    PlaceStep,
    TimeStep,
    TitleStep,
)

FLOW = "activity"


async def done(turn: Turn) -> None:
    """The last answer: published (the draft cleared in the same transaction), the
    volunteers told."""
    d = turn.draft_as(ActivityDraft)
    d.helpers = d.places  # an activity asks for as many helpers as it has places
    asked = d.publication()
    try:
        order = await turn.services.orders.create_activity(
            turn.me, d.form(), asked, draft_of=turn.me.id
        )
    except InvalidValue as error:
        await request.ask_time_again(turn, error)
        return
    await turn.show(
        turn.tr.ngettext(
            "activity.published", order.places, number=order.number, places=order.places
        )
    )
    if opened_early(asked, order):
        await turn.say(turn.tr("review.opened_early"))
    wake_sender(turn.context.application)  # the announcements, with the Grab button


# the questions of a request (handlers/requests/request.py ORDER_STEPS), asked about the activity,
# with its title; then the publishing ones
ACTIVITY_STEPS = (
    RequestStreetStep(),
    RequestCommunityStep(),
    CategoryStep("activity.ask_category"),
    TitleStep(),
    DescriptionStep("activity.ask_description"),
    DayStep(),
    TimeStep(),
    PlaceStep("activity.ask_place"),
    PhoneStep(),
)

FLOWS = (
    Flow(
        FLOW,
        ActivityDraft,
        [*ACTIVITY_STEPS, *PUBLISH_STEPS],
        done=done,
        cancel_note="activity.cancelled",
    ),
)


@domain_errors
async def activity_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = me(context)
    if Role.COORDINATOR not in user.roles:
        raise NotAllowed("coordinators only")
    draft = request_start(ActivityDraft, user.coordinator_unit, user.community_id)
    assert draft is not None  # a coordinator always has a unit
    await Reply(update, context).send(tr(context)("activity.intro"))
    await start_flow(update, context, FLOW, draft, step=first_step(draft))


HANDLERS = [CommandHandler("activity", activity_command)]
