"""A place held, given up or offered: "Cancel my place" asks first (with when it counts
as late), then gives up only the place as it was when asked, or keeps it; a freed place
offered to the next in the waitlist is accepted or declined from the offer message,
which says at once what became of it."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.i18n import Markup, Translator
from bot.messages.common import duration_text, local_time
from bot.services.grabs.place_changes import GivingUp
from handlers.common import (
    Reply,
    StaleButton,
    answer,
    domain_errors,
    me,
    pressed_ids,
    services,
    tr,
)
from handlers.grabs.grab import CANCEL, carries_press, show_place

log = logging.getLogger(__name__)

CONFIRM_CANCEL = "gx"  # gx:<claim id>:<claim version>  (yes, give it up)
KEEP = "gk"  # gk:<claim id>  (no, keep it)


def _ask_cancel(t: Translator, giving: GivingUp, cutoff: timedelta, timezone: str) -> str:
    """Give the place up? With when that counts as a late cancellation."""
    order = giving.claim.order
    lines = [
        t(
            "grab.ask_cancel",
            number=order.number,
            start=local_time(order.starts_at, timezone),
            end=local_time(order.ends_at, timezone),
        )
    ]
    span = duration_text(t, cutoff.total_seconds() / 3600)
    if giving.late:
        lines.append(t("grab.ask_cancel_late", span=span))
    elif cutoff:
        lines.append(
            t("grab.ask_cancel_free", span=span, late_from=local_time(giving.late_from, timezone))
        )
    return "\n\n".join(lines)


@domain_errors
async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Cancel my place" (the place message, a reminder): asks first, in a message of
    its own (the place message keeps what it shows until the place is given up)."""
    t = tr(context)
    (claim_id,) = pressed_ids(update, CANCEL)
    claims = services(context).claims
    giving = await claims.giving_up(me(context), claim_id)
    await answer(update)
    claim = giving.claim
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.plain("grab.button_confirm_cancel"),
                    callback_data=callbacks.encode(CONFIRM_CANCEL, claim.id, claim.version),
                ),
                InlineKeyboardButton(
                    t.plain("grab.button_keep_place"),
                    callback_data=callbacks.encode(KEEP, claim.id),
                ),
            ]
        ]
    )
    text = _ask_cancel(t, giving, claims.cancel_cutoff, claims.timezone)
    await Reply(update, context).send(text, markup)


async def _answer_in_place(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Into the pressed message when the press came from it, else a new message."""
    if carries_press(update):
        await Reply(update, context).edit_or_send(text)
    else:
        await Reply(update, context).send(text)


@domain_errors
async def on_confirm_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Yes, give it up: only the place as it was when asked (its version)."""
    t = tr(context)
    claim_id, version = pressed_ids(update, CONFIRM_CANCEL, 2)
    claim = await services(context).claims.cancel(me(context), claim_id, version)
    key = "grab.cancelled_late" if claim.late_cancel else "grab.cancelled"
    await answer(update)
    await _answer_in_place(update, context, t(key, number=claim.order.number))
    wake_sender(context.application)  # the place message, the requester, the next in line


@domain_errors
async def on_keep(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (claim_id,) = pressed_ids(update, KEEP)
    giving = await services(context).claims.giving_up(me(context), claim_id)  # still held
    await answer(update)
    await _answer_in_place(update, context, t("grab.place_kept", number=giving.claim.order.number))


def _offer_ids(update: Update, prefix: str) -> tuple[int, int | None]:
    """``prefix:<claim id>:<version>``; an offer sent before its buttons carried the
    version has the claim id alone (then the claim's state alone decides)."""
    try:
        claim_id, version = pressed_ids(update, prefix, 2)
    except StaleButton:
        (claim_id,) = pressed_ids(update, prefix)
        return claim_id, None
    return claim_id, version


@domain_errors
async def on_accept_offer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    claim_id, version = _offer_ids(update, callbacks.ACCEPT_OFFER)
    claim = await services(context).claims.accept_offer(me(context), claim_id, version)
    await answer(update, t.plain("grab.got_alert", number=claim.order.number))
    await _settle_pressed_offer(
        update, context, t("claim.offer_accepted", number=claim.order.number)
    )
    await show_place(update, context, claim)
    wake_sender(context.application)


async def _settle_pressed_offer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: Markup
) -> None:
    """The offer message pressed says what became of the offer, without its buttons, at
    once: the service queues the same edit (bot/messages/grabs.py offer_settled), which it can only
    address once the offer's sending is recorded — a press right after the offer
    arrived may come first. (Whichever edit comes second changes nothing.)"""
    if not carries_press(update):
        return
    try:
        await update.callback_query.edit_message_text(text)  # type: ignore[union-attr]
    except BadRequest as exc:  # e.g. not modified: the queued edit came first
        log.info("could not settle the pressed offer message: %s", exc)


@domain_errors
async def on_decline_offer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    claim_id, version = _offer_ids(update, callbacks.DECLINE_OFFER)
    claim = await services(context).claims.decline_offer(me(context), claim_id, version)
    await answer(update, t.plain("grab.offer_declined_alert"))
    await _settle_pressed_offer(
        update, context, t("grab.offer_declined", number=claim.order.number)
    )
    wake_sender(context.application)  # the next in line is told


HANDLERS = [
    CallbackQueryHandler(on_cancel, pattern=callbacks.pattern(CANCEL)),
    CallbackQueryHandler(on_confirm_cancel, pattern=callbacks.pattern(CONFIRM_CANCEL)),
    CallbackQueryHandler(on_keep, pattern=callbacks.pattern(KEEP)),
    CallbackQueryHandler(on_accept_offer, pattern=callbacks.pattern(callbacks.ACCEPT_OFFER)),
    CallbackQueryHandler(on_decline_offer, pattern=callbacks.pattern(callbacks.DECLINE_OFFER)),
]
