"""Volunteers grab places (接单): the Grab button, the waitlist, offers, guidance, cancel.

Every press is re-checked by ClaimService against the database and the presser: a
forged claim id is NotFound, a forged order id is answered like any other order."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.i18n import Translator
from bot.services.dto import CategoryDTO, ClaimDTO
from bot.services.errors import NotOpenYet, SlotsFull
from bot.services.notices import local_time
from handlers.common import Reply, answer, domain_errors, me, pressed_ids, services, tr

GRAB = callbacks.GRAB
WAITLIST = "gw"  # gw:<order id>
CONFIRM = "gg"  # gg:<claim id>  (guidance read)
CANCEL = "gc"  # gc:<claim id>


def place_text(t: Translator, claim: ClaimDTO, timezone: str, category: CategoryDTO | None) -> str:
    """What a volunteer holding a place sees: the resident's address and phone too, and
    the category's guidance with the order's own."""
    order = claim.order
    notes = [category.guidance(t.language)] if category and category.guidance_zh else []
    if order.guidance:
        notes.append(order.guidance)
    return t(
        "grab.got",
        number=order.number,
        start=local_time(order.starts_at, timezone),
        end=local_time(order.ends_at, timezone),
        address=order.address,
        phone=order.contact_phone,
        guidance="\n\n".join(notes) if notes else t("grab.no_guidance"),
    )


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
    return place_text(tr(context), claim, services(context).claims.timezone, category)


async def _show_place(update: Update, context: ContextTypes.DEFAULT_TYPE, claim: ClaimDTO) -> None:
    t = tr(context)
    text = await _place_text(context, claim)
    await Reply(update, context).send(text, place_markup(t, claim))


@domain_errors
async def on_grab(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (order_id,) = pressed_ids(update, GRAB)
    try:
        claim = await services(context).claims.grab(me(context), order_id)
    except SlotsFull:
        await answer(update, t.plain("error.slots_full"), alert=True)
        button = InlineKeyboardButton(
            t.plain("grab.button_join_waitlist"), callback_data=callbacks.encode(WAITLIST, order_id)
        )
        await Reply(update, context).send(t("grab.full"), InlineKeyboardMarkup([[button]]))
        return
    except NotOpenYet as error:
        opens = local_time(error.opens_at, services(context).claims.timezone)
        await answer(update, t.plain("grab.not_open_yet", opens=opens), alert=True)
        return
    await answer(update, t.plain("grab.got_alert", number=claim.order.number), alert=True)
    await _show_place(update, context, claim)
    wake_sender(context.application)  # the requester may be told the order filled


@domain_errors
async def on_waitlist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (order_id,) = pressed_ids(update, WAITLIST)
    claim = await services(context).claims.join_waitlist(me(context), order_id)
    await answer(update)
    if claim.state == "claimed":  # a place came free meanwhile
        await _show_place(update, context, claim)
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
    await _show_place(update, context, claim)


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
