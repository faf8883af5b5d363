"""The one-tap "announce to the whole street" of an order still short of volunteers
(the flag comes from bot/services/requests/escalation.py through the outbox). The press is
checked again against the order and the presser's unit by the service."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from handlers.common import Reply, answer, domain_errors, me, pressed_ids, services, tr


@domain_errors
async def on_widen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (order_id,) = pressed_ids(update, callbacks.WIDEN)
    widened = await services(context).escalation.widen(me(context), order_id)
    t = tr(context)
    street = widened.street.name(t.language)
    text = t("escalation.widened", number=widened.order.number, street=street)
    await answer(update, t.plain("escalation.widened_alert", number=widened.order.number))
    await Reply(update, context).edit_or_send(text)
    wake_sender(context.application)  # the street's volunteers are told


HANDLERS = [CallbackQueryHandler(on_widen, pattern=callbacks.pattern(callbacks.WIDEN))]
