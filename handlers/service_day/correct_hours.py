"""A coordinator corrects a volunteer's minutes (the button on the order's view,
handlers/service_day/order_view.py): the minutes, then the reason; the volunteer is told and the
view shown again.

Every press is re-checked by AttendanceService against the database and the presser:
a forged claim id is NotFound, an order outside the coordinator's unit NotInScope.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.messages.common import hours
from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import DomainError, InvalidValue
from bot.services.kernel.validation import typed_number
from bot.services.service_day.drafts import CorrectionDraft
from bot.services.service_day.records import MAX_MINUTES
from handlers.common import answer, domain_errors, me, pressed_ids, services
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow, Step
from handlers.flows.turn import Turn
from handlers.service_day.common import finished
from handlers.service_day.order_view import CORRECT, show_view

CORRECT_FLOW = "correct_hours"


@domain_errors
async def on_correct(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (claim_id,) = pressed_ids(update, CORRECT)
    claim = await services(context).attendance.correctable(me(context), claim_id)
    await answer(update)
    draft = CorrectionDraft(
        claim=claim.claim_id,
        order=claim.order.id,
        name=claim.volunteer_name,
        number=claim.order.number,
        minutes=claim.minutes or 0,
    )
    await start_flow(update, context, CORRECT_FLOW, draft)


class MinutesStep(Step):
    name = "minutes"

    async def ask(self, turn: Turn) -> None:
        d = turn.draft_as(CorrectionDraft)
        text = turn.tr.ngettext(
            "attendance.ask_minutes",
            d.minutes,
            name=d.name,
            number=d.number,
            minutes=d.minutes,
            max=MAX_MINUTES,
        )
        await turn.show(text, turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        minutes = typed_number(text)
        if minutes is None:
            raise InvalidValue("minutes", "range", min=0, max=MAX_MINUTES)
        turn.draft_as(CorrectionDraft).new_minutes = minutes  # checked by the draft
        await turn.advance()


class CorrectionReasonStep(Step):
    name = "reason"

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("attendance.ask_reason"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        d = turn.draft_as(CorrectionDraft)
        try:
            done = await turn.services.attendance.correct_hours(
                turn.me,
                needed(d.claim, "claim"),
                needed(d.new_minutes, "minutes"),
                text,
                draft_of=turn.me.id,
            )
        except DomainError as error:
            await turn.refused(error)
            return
        minutes = done.minutes or 0
        await turn.say(
            turn.tr.ngettext(
                "attendance.corrected",
                minutes,
                name=d.name,
                minutes=minutes,
                hours=hours(minutes),
            )
        )
        wake_sender(turn.context.application)  # the volunteer is told
        await show_view(turn.update, turn.context, needed(d.order, "order"), edit=False)


FLOWS = (Flow(CORRECT_FLOW, CorrectionDraft, [MinutesStep(), CorrectionReasonStep()], finished),)

HANDLERS = [
    CallbackQueryHandler(on_correct, pattern=callbacks.pattern(CORRECT)),
]
