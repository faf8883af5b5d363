"""Volunteers grab places (接单): the Grab button, the waitlist, offers, guidance, cancel.

Every press is re-checked by ClaimService against the database and the presser: a
forged claim id is NotFound, a forged order id is answered like any other order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.i18n import Translator
from bot.services import notices
from bot.services.dto import CategoryDTO, ClaimDTO
from bot.services.errors import NotOpenYet, SlotsFull
from bot.services.notices import local_time
from bot.update_processor import PerUserUpdateProcessor
from handlers.common import Reply, answer, domain_errors, me, pressed_ids, services, tr

log = logging.getLogger(__name__)

GRAB = callbacks.GRAB
WAITLIST = "gw"  # gw:<order id>
CONFIRM = "gg"  # gg:<claim id>  (guidance read)
CANCEL = callbacks.CANCEL_PLACE  # gc:<claim id>


def place_text(
    t: Translator,
    claim: ClaimDTO,
    timezone: str,
    category: CategoryDTO | None,
    requester: str | None = None,
) -> str:
    """What a volunteer holding a place sees: the resident's address and phone too (or
    the person helped's, and the requester as a second contact), and the category's
    guidance with the order's own (the outbox edits the same text, without the contact,
    after the service)."""
    return notices.place_text(t, claim.order, category, timezone, requester=requester)


def place_markup(t: Translator, claim: ClaimDTO) -> InlineKeyboardMarkup:
    rows = []
    if claim.guidance_confirmed_at is None:
        rows.append(
            [
                InlineKeyboardButton(
                    t.plain("grab.button_guidance_read"),
                    callback_data=callbacks.encode(CONFIRM, claim.id),
                )
            ]
        )
    if claim.state == "claimed":  # until the service starts (then CancelTooLate)
        rows.append(
            [
                InlineKeyboardButton(
                    t.plain("grab.button_cancel_place"),
                    callback_data=callbacks.encode(CANCEL, claim.id),
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


async def _place_text(context: ContextTypes.DEFAULT_TYPE, claim: ClaimDTO) -> str:
    category = await services(context).org.category(claim.order.category)
    requester = None
    if claim.order.beneficiary_name is not None:  # the requester is the second contact
        requester = await services(context).orders.requester_name(claim.order)
    return place_text(tr(context), claim, services(context).claims.timezone, category, requester)


async def show_place(update: Update, context: ContextTypes.DEFAULT_TYPE, claim: ClaimDTO) -> None:
    t = tr(context)
    text = await _place_text(context, claim)
    message = await Reply(update, context).send(text, place_markup(t, claim))
    # it shows the resident's address and phone: hidden again after the service
    await services(context).contact.record(claim.id, message.chat_id, message.message_id)


def _follow_up(
    context: ContextTypes.DEFAULT_TYPE,
    work: Coroutine[Any, Any, None],
    name: str,
    *,
    urgent: bool = False,
) -> None:
    """Run ``work`` after the update's answer (see PerUserUpdateProcessor.follow_up)."""
    processor = context.application.update_processor
    if isinstance(processor, PerUserUpdateProcessor):
        processor.follow_up(work, name, urgent=urgent)
    else:  # an application built without it (some tests): at once
        context.application.create_task(work, name=name)


async def _offer_waitlist(
    update: Update, context: ContextTypes.DEFAULT_TYPE, order_id: int
) -> None:
    """After the "all taken" alert: the pressed message itself offers the waitlist —
    the note is added to its text and the Grab button pressed becomes "Join the
    waitlist" (other buttons, e.g. of a list of orders, stay). No new message per
    volunteer too late: a storm's hundreds of them would be as many sendMessage calls,
    which Telegram's ~30 messages/s per bot would spread over many seconds, and a chat
    cluttered with "full" messages."""
    t = tr(context)
    query = update.callback_query
    assert query is not None
    join = InlineKeyboardButton(
        t.plain("grab.button_join_waitlist"), callback_data=callbacks.encode(WAITLIST, order_id)
    )
    note = t("grab.full")
    message = query.message
    if not isinstance(message, Message) or not message.text:  # too old to edit, or a photo
        await Reply(update, context).send(note, InlineKeyboardMarkup([[join]]))
        return
    rows = [
        [join if button.callback_data == query.data else button for button in row]
        for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
    ]
    if not any(join in row for row in rows):
        rows.append([join])
    text = message.text_html
    if note not in text:
        text = f"{text}\n\n{note}"
    if len(text) > MessageLimit.MAX_TEXT_LENGTH:
        text = note
    try:
        await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows))
    except BadRequest as exc:  # e.g. not modified: a second tap before the first edit
        log.info("could not offer the waitlist on the pressed message: %s", exc)


@domain_errors
async def on_grab(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (order_id,) = pressed_ids(update, GRAB)
    try:
        claim = await services(context).claims.grab(me(context), order_id)
    except SlotsFull:
        await answer(update, t.plain("error.slots_full"), alert=True)
        # they have their answer; the edit only tidies up: after the answers of a storm
        _follow_up(context, _offer_waitlist(update, context, order_id), f"waitlist:{order_id}")
        return
    except NotOpenYet as error:
        opens = local_time(error.opens_at, services(context).claims.timezone)
        await answer(update, t.plain("grab.not_open_yet", opens=opens), alert=True)
        return
    # the alert goes out first; the place's details are prepared meanwhile, not after
    # its round trip (in a storm that trip waits behind the others' answers)
    await asyncio.gather(
        answer(update, t.plain("grab.got_alert", number=claim.order.number), alert=True),
        show_place(update, context, claim),
    )
    wake_sender(context.application)  # the requester may be told the order filled


@domain_errors
async def on_waitlist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (order_id,) = pressed_ids(update, WAITLIST)
    claim = await services(context).claims.join_waitlist(me(context), order_id)
    await answer(update)
    if claim.state == "claimed":  # a place came free meanwhile
        await show_place(update, context, claim)
        return
    await Reply(update, context).edit_or_send(t("grab.waitlisted", number=claim.order.number))


@domain_errors
async def on_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (claim_id,) = pressed_ids(update, CONFIRM)
    claim = await services(context).claims.confirm_guidance(me(context), claim_id)
    await answer(update, t.plain("grab.guidance_confirmed"))
    text = await _place_text(context, claim)
    await Reply(update, context).edit_or_send(text, place_markup(t, claim))


@domain_errors
async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (claim_id,) = pressed_ids(update, CANCEL)
    claim = await services(context).claims.cancel(me(context), claim_id)
    key = "grab.cancelled_late" if claim.late_cancel else "grab.cancelled"
    await answer(update)
    await Reply(update, context).edit_or_send(t(key, number=claim.order.number))
    wake_sender(context.application)  # the requester and the next in line are told


@domain_errors
async def on_accept_offer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (claim_id,) = pressed_ids(update, callbacks.ACCEPT_OFFER)
    claim = await services(context).claims.accept_offer(me(context), claim_id)
    await answer(update, t.plain("grab.got_alert", number=claim.order.number))
    await show_place(update, context, claim)


@domain_errors
async def on_decline_offer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (claim_id,) = pressed_ids(update, callbacks.DECLINE_OFFER)
    claim = await services(context).claims.cancel(me(context), claim_id)
    await answer(update)
    await Reply(update, context).edit_or_send(t("grab.offer_declined", number=claim.order.number))
    wake_sender(context.application)  # the offer passes to the next in line


HANDLERS = [
    CallbackQueryHandler(on_grab, pattern=callbacks.pattern(GRAB)),
    CallbackQueryHandler(on_waitlist, pattern=callbacks.pattern(WAITLIST)),
    CallbackQueryHandler(on_confirm, pattern=callbacks.pattern(CONFIRM)),
    CallbackQueryHandler(on_cancel, pattern=callbacks.pattern(CANCEL)),
    CallbackQueryHandler(on_accept_offer, pattern=callbacks.pattern(callbacks.ACCEPT_OFFER)),
    CallbackQueryHandler(on_decline_offer, pattern=callbacks.pattern(callbacks.DECLINE_OFFER)),
]
