"""A coordinator's own activity (e.g. 浓情重阳节·温暖志愿行, 20 places): /activity asks
what a resident's request asks (the community among the coordinator's, the kind, the
description, when, where, a contact phone), then what publishing asks (places, points
rate, team, guidance, when grabbing opens, who is told), and publishes it at once —
no review; the volunteers are told (outbox)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.background import wake_sender
from bot.services.dto import Role
from bot.services.errors import InvalidValue, NotAllowed
from handlers import request
from handlers.common import Reply, domain_errors, me, tr
from handlers.flow import Flow, Turn, register_flow, start_flow
from handlers.request_steps import (
    first_step,
    request_start,
)
from handlers.review_steps import PUBLISH_STEPS, publication

FLOW = "activity"


async def done(turn: Turn) -> None:
    """The last answer: published, the volunteers told."""
    d = turn.data
    d["helpers"] = d["places"]  # an activity asks for as many helpers as it has places
    try:
        order = await turn.services.orders.create_activity(
            turn.me, request.form_from(d), publication(d)
        )
    except InvalidValue as error:
        await request.ask_time_again(turn, error)
        return
    await turn.finish()
    await turn.show(
        turn.tr.ngettext(
            "activity.published", order.places, number=order.number, places=order.places
        )
    )
    wake_sender(turn.context.application)  # the announcements, with the Grab button


register_flow(
    Flow(
        FLOW,
        [*request.ORDER_STEPS, *PUBLISH_STEPS],
        done=done,
        cancel_note="activity.cancelled",
    )
)


@domain_errors
async def activity_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = me(context)
    if Role.COORDINATOR not in user.roles:
        raise NotAllowed("coordinators only")
    data = request_start(user.coordinator_unit, user.community_id)
    assert data is not None  # a coordinator always has a unit
    await Reply(update, context).send(tr(context)("activity.intro"))
    await start_flow(update, context, FLOW, data, step=first_step(data))


HANDLERS = [CommandHandler("activity", activity_command)]
