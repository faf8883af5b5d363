"""A coordinator adjusts a volunteer's points: from the ⭐ button on an order's view
(handlers/service_day/order_view.py) or ``/adjust <Telegram id | @username>``; the
amount (``+5``, ``-2.5``), then the reason (required); the volunteer is told.

Every press is re-checked by PointsService against the database and the presser: a
forged volunteer id is NotFound, a volunteer outside the coordinator's unit NotInScope,
before the flow starts and again when it books.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.messages.common import points_text
from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import DomainError
from bot.services.points.amounts import tenths
from bot.services.points.drafts import AdjustDraft
from bot.services.points.ledger import VolunteerPoints
from handlers.common import Reply, answer, domain_errors, me, pressed_ids, services
from handlers.common import tr as tr_of
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow, Step
from handlers.flows.turn import Turn
from handlers.service_day.common import finished

ADJUST_FLOW = "adjust_points"
PRESS = callbacks.ADJUST_POINTS


async def _start(
    update: Update, context: ContextTypes.DEFAULT_TYPE, volunteer: VolunteerPoints
) -> None:
    draft = AdjustDraft(
        volunteer=volunteer.volunteer_id, name=volunteer.name, balance=volunteer.balance
    )
    await start_flow(update, context, ADJUST_FLOW, draft)


@domain_errors
async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (volunteer_id,) = pressed_ids(update, PRESS)
    volunteer = await services(context).points.volunteer_points(me(context), volunteer_id)
    await answer(update)
    await _start(update, context, volunteer)


@domain_errors
async def adjust_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not context.args:
        await Reply(update, context).send(tr_of(context)("adjust.usage"))
        return
    volunteer = await services(context).points.find_volunteer(me(context), context.args[0])
    await _start(update, context, volunteer)


class AmountStep(Step):
    name = "amount"

    async def ask(self, turn: Turn) -> None:
        d = turn.draft_as(AdjustDraft)
        text = turn.tr("adjust.ask_amount", name=d.name or "", balance=points_text(d.balance))
        await turn.show(text, turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        turn.draft_as(AdjustDraft).amount = tenths(text, "adjust_amount")  # checked by the draft
        await turn.advance()


class ReasonStep(Step):
    name = "reason"

    async def ask(self, turn: Turn) -> None:
        d = turn.draft_as(AdjustDraft)
        amount = points_text(needed(d.amount, "adjust_amount"), signed=True)
        await turn.show(
            turn.tr("adjust.ask_reason", name=d.name or "", points=amount), turn.keyboard([])
        )

    async def on_text(self, turn: Turn, text: str) -> None:
        d = turn.draft_as(AdjustDraft)
        try:
            done = await turn.services.points.adjust(
                turn.me,
                needed(d.volunteer, "volunteer"),
                needed(d.amount, "adjust_amount"),
                text,
                draft_of=turn.me.id,
            )
        except DomainError as error:  # a bad value asked again (the amount kept)
            await turn.refused(error)
            return
        await turn.say(
            turn.tr(
                "adjust.done",
                name=done.volunteer.name,
                points=points_text(done.amount, signed=True),
                balance=points_text(done.volunteer.balance),
            )
        )
        wake_sender(turn.context.application)  # the volunteer is told


FLOWS = (Flow(ADJUST_FLOW, AdjustDraft, [AmountStep(), ReasonStep()], finished),)

HANDLERS = [
    CommandHandler("adjust", adjust_command),
    CallbackQueryHandler(on_press, pattern=callbacks.pattern(PRESS)),
]
