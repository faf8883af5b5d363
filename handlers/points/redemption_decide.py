"""A coordinator decides a redemption from the notice they were sent (or from the
/redemptions list, handlers/points/redemptions_list.py): "handed over", or "cancel" with
a reason (the points go back, the one back into the stock). The volunteer is told
either way.

Every press is re-checked by RedemptionService: a forged id is NotFound, a coordinator
of another unit NotInScope, a redemption decided already (by them or another
coordinator) AlreadyDecided — the second press says so and changes nothing."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import MessageLimit
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.i18n import Markup
from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import DomainError
from bot.services.points.drafts import RedemptionCancelDraft
from bot.services.points.rewards import RedemptionDTO
from handlers.common import answer, domain_errors, me, pressed_ids, services, tr
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow, Step
from handlers.flows.turn import Turn
from handlers.points.rewards_common import settle

HAND_OVER = callbacks.HAND_OVER
CANCEL = callbacks.CANCEL_REDEMPTION
CANCEL_FLOW = "redemption_cancel"


def _with_note(update: Update, note: str) -> str:
    """The pressed notice's text, and under it what became of it."""
    query = update.callback_query
    message = query.message if query is not None else None
    if isinstance(message, Message) and message.text:
        text = f"{message.text_html}\n\n{note}"
        if len(text) <= MessageLimit.MAX_TEXT_LENGTH:
            return Markup(text)
    return note


async def hand_over(
    update: Update, context: ContextTypes.DEFAULT_TYPE, redemption_id: int
) -> RedemptionDTO:
    """Handed over (re-checked by the service), the press answered, the volunteer told;
    from the notice and from the /redemptions list alike."""
    done = await services(context).redemptions.hand_over(me(context), redemption_id)
    await answer(update, tr(context).plain("rewards.handed_alert"))
    wake_sender(context.application)  # the volunteer is told
    return done


@domain_errors
async def on_hand_over(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (redemption_id,) = pressed_ids(update, HAND_OVER)
    done = await hand_over(update, context, redemption_id)
    note = tr(context)("rewards.handed", id=done.id, name=done.reward_name)
    await settle(update, context, _with_note(update, note))


@domain_errors
async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (redemption_id,) = pressed_ids(update, CANCEL)
    pending = await services(context).redemptions.decidable(me(context), redemption_id)
    await answer(update)
    draft = RedemptionCancelDraft(redemption=pending.id, name=pending.reward_name)
    await start_flow(update, context, CANCEL_FLOW, draft)


class CancelReasonStep(Step):
    name = "reason"

    async def ask(self, turn: Turn) -> None:
        d = turn.draft_as(RedemptionCancelDraft)
        text = turn.tr("rewards.ask_cancel_reason", id=d.redemption, name=d.name)
        await turn.say(text, turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        d = turn.draft_as(RedemptionCancelDraft)
        try:
            done = await turn.services.redemptions.cancel(
                turn.me, needed(d.redemption, "redemption"), text, draft_of=turn.me.id
            )
        except DomainError as error:  # a bad reason asked again; decided meanwhile: ended
            await turn.refused(error)
            return
        await turn.say(turn.tr("rewards.cancelled", id=done.id, name=done.reward_name))
        wake_sender(turn.context.application)  # the volunteer is told


async def _finished(turn: Turn) -> None:
    await turn.finish()


FLOWS = (Flow(CANCEL_FLOW, RedemptionCancelDraft, [CancelReasonStep()], _finished),)

HANDLERS = [
    CallbackQueryHandler(on_hand_over, pattern=callbacks.pattern(HAND_OVER)),
    CallbackQueryHandler(on_cancel, pattern=callbacks.pattern(CANCEL)),
]
