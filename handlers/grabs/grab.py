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
from telegram.error import BadRequest, RetryAfter
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.delivery.telegram_transport import retry_after_seconds
from bot.i18n import Translator
from bot.messages import grabs as grab_messages
from bot.messages.common import local_time
from bot.runtime.update_processor import PerUserUpdateProcessor
from bot.runtime.volunteer_bot import VolunteerBot
from bot.services.kernel.dto import CategoryDTO, ClaimDTO
from bot.services.kernel.errors import NotOpenYet, OutsideArea, SlotsFull
from bot.services.kernel.states import ClaimState
from handlers.common import (
    Reply,
    answer,
    domain_errors,
    me,
    pressed_ids,
    services,
    tr,
)

log = logging.getLogger(__name__)

GRAB = callbacks.GRAB
WAITLIST = callbacks.JOIN_WAITLIST
MUTE = callbacks.MUTE_BROADCASTS + ":"  # the mute button under a broadcast
EDIT_ATTEMPTS = 3  # a follow-up edit refused by the flood limit: tried again after it
CONFIRM = "gg"  # gg:<claim id>  (guidance read)
CANCEL = callbacks.CANCEL_PLACE  # gc:<claim id>  (asks first)


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
    return grab_messages.place_text(t, claim.order, category, timezone, requester=requester)


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
    if claim.state == ClaimState.CLAIMED:  # until the service starts (then CancelTooLate)
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


def carries_press(update: Update) -> bool:
    """Whether the pressed message carries the button pressed (a forged press names
    data of no button on it): only then is it edited, else the answer is a new one."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    return any(
        button.callback_data == query.data
        for row in message.reply_markup.inline_keyboard
        for button in row
    )


def _about_order(update: Update, order_id: int) -> Message | None:
    """The pressed message, if it is the order's own — its announcement (or a card of
    that order alone), or a broadcast carrying it (text or photo): every button on it,
    a broadcast's mute button aside, is that order's Grab or waitlist button. A list of
    orders is not: an answer about one of them goes into a message of its own."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return None
    if not (message.text or message.caption):
        return None
    own = {callbacks.encode(prefix, order_id) for prefix in (GRAB, WAITLIST)}
    buttons = [button for row in message.reply_markup.inline_keyboard for button in row]
    theirs = [b for b in buttons if not str(b.callback_data).startswith(MUTE)]
    if theirs and all(button.callback_data in own for button in theirs):
        return message
    return None


def _kept_rows(message: Message) -> list[list[tuple[str, str]]]:
    """The pressed message's rows that stay when its Grab button becomes the
    waitlist's: a broadcast's mute button."""
    assert message.reply_markup is not None
    return [
        [(b.text, str(b.callback_data)) for b in row]
        for row in message.reply_markup.inline_keyboard
        if all(str(b.callback_data).startswith(MUTE) for b in row)
    ]


def _markup(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def _offer_waitlist(
    update: Update, context: ContextTypes.DEFAULT_TYPE, order_id: int
) -> None:
    """After the "all taken" alert: the order's announcement itself offers the
    waitlist — the note is added to its text and its Grab button becomes "Join the
    waitlist". No new message per volunteer too late there: a storm's hundreds of them
    would be as many sendMessage calls, which Telegram's ~30 messages/s per bot would
    spread over many seconds, and a chat cluttered with "full" messages. Pressed on any
    other message (a list of orders), the note and the button come in a message of
    their own: the list stays as it was. A broadcast's photo gets its caption edited
    (within a caption's limit: else it keeps its words and gets the button alone)."""
    t = tr(context)
    query = update.callback_query
    assert query is not None
    join = (t.plain("grab.button_join_waitlist"), callbacks.encode(WAITLIST, order_id))
    note = t("grab.full")
    message = _about_order(update, order_id)
    if message is None:
        button = InlineKeyboardButton(join[0], callback_data=join[1])
        await Reply(update, context).send(note, InlineKeyboardMarkup([[button]]))
        return
    rows = [[join], *_kept_rows(message)]
    caption = not message.text
    text = message.caption_html if caption else message.text_html
    limit = MessageLimit.CAPTION_LENGTH if caption else MessageLimit.MAX_TEXT_LENGTH
    if note not in text:
        more = f"{text}\n\n{note}"
        text = more if len(more) <= limit else text if caption else note
    bot = context.bot
    for _ in range(EDIT_ATTEMPTS):  # the flood limit: once it has passed, again
        try:
            if isinstance(bot, VolunteerBot) and not caption:  # lean: not read back
                await bot.edit_text(message.chat_id, message.message_id, text, rows)
                return
            markup = _markup(rows)
            if caption:
                await query.edit_message_caption(text, reply_markup=markup)
            else:
                await query.edit_message_text(text, reply_markup=markup)
            return
        except RetryAfter as exc:  # edits count against the bot's limit (a broadcast's too)
            await asyncio.sleep(retry_after_seconds(exc))
        except BadRequest as exc:  # e.g. not modified: a second tap before the first edit
            log.info("could not offer the waitlist on the pressed message: %s", exc)
            return
    log.info("the waitlist's offer on message %s gave up: flood limit", message.message_id)


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
    except OutsideArea as error:
        await _outside_area(update, context, error)
        return
    # the alert goes out first; the place's details are prepared meanwhile, not after
    # its round trip (in a storm that trip waits behind the others' answers)
    await asyncio.gather(
        answer(update, t.plain("grab.got_alert", number=claim.order.number), alert=True),
        show_place(update, context, claim),
    )
    wake_sender(context.application)  # the requester may be told the order filled


async def _outside_area(
    update: Update, context: ContextTypes.DEFAULT_TYPE, error: OutsideArea
) -> None:
    """An order for the volunteers of another community (or street): whose it is."""
    t = tr(context)
    await answer(update, t.plain("grab.outside_area", area=error.area.name(t.language)), alert=True)


@domain_errors
async def on_waitlist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (order_id,) = pressed_ids(update, WAITLIST)
    try:
        claim = await services(context).claims.join_waitlist(me(context), order_id)
    except OutsideArea as error:
        await _outside_area(update, context, error)
        return
    await answer(update)
    if claim.state == ClaimState.CLAIMED:  # a place came free meanwhile
        await show_place(update, context, claim)
        return
    waitlisted = t("grab.waitlisted", number=claim.order.number)
    message = _about_order(update, order_id)
    if message is None:  # e.g. a list of orders: it stays as it was
        await Reply(update, context).send(waitlisted)
        return
    # the announcement: what it said, then the waitlist place (no buttons any more but
    # a broadcast's mute button)
    kept = _kept_rows(message)
    markup = _markup(kept) if kept else None
    if message.text:
        announced = message.text_html.replace(t("grab.full"), "").strip()
        text = f"{announced}\n\n{waitlisted}" if announced else waitlisted
        if len(text) > MessageLimit.MAX_TEXT_LENGTH:
            text = waitlisted
        await Reply(update, context).edit_or_send(text, markup)
        return
    # a broadcast's photo: its caption, or the place in a message of its own
    announced = message.caption_html.replace(t("grab.full"), "").strip()
    text = f"{announced}\n\n{waitlisted}" if announced else waitlisted
    if len(text) > MessageLimit.CAPTION_LENGTH:
        await Reply(update, context).send(waitlisted)
        text = announced
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_caption(text, reply_markup=markup)
    except BadRequest as exc:  # not modified: pressed twice
        log.info("could not show the waitlist place on the pressed photo: %s", exc)


@domain_errors
async def on_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (claim_id,) = pressed_ids(update, CONFIRM)
    claim = await services(context).claims.confirm_guidance(me(context), claim_id)
    await answer(update, t.plain("grab.guidance_confirmed"))
    if not carries_press(update):  # not pressed on a place message: a new (recorded) one
        await show_place(update, context, claim)
        return
    text = await _place_text(context, claim)
    await Reply(update, context).edit_or_send(text, place_markup(t, claim))


HANDLERS = [
    CallbackQueryHandler(on_grab, pattern=callbacks.pattern(GRAB)),
    CallbackQueryHandler(on_waitlist, pattern=callbacks.pattern(WAITLIST)),
    CallbackQueryHandler(on_confirm, pattern=callbacks.pattern(CONFIRM)),
]
