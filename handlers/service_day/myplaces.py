"""Service (实践服务) for volunteers: /myplaces with check in / check out, the place
message again (address, phone, guidance), and the optional location at check-in.

Every press is re-checked by AttendanceService against the database and the presser:
a forged claim id is NotFound.
"""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.i18n import Markup, Translator
from bot.messages.common import hours, local_time
from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import CheckInNotOpen, DomainError
from bot.services.service_day.check_in import Place
from bot.services.service_day.drafts import LocationDraft
from handlers.common import Reply, answer, domain_errors, me, pressed_ids, services, tr
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow, Step
from handlers.flows.turn import Turn
from handlers.grabs.grab import show_place
from handlers.service_day.common import CLAIM_STATES, finished, record_text, state_name, timezone_of

CHECK_IN = "ai"  # ai:<claim id>
CHECK_OUT = "ao"  # ao:<claim id>
CONTACT = "ac"  # ac:<claim id>  (the place message, with the address and phone)
LOCATION_FLOW = "checkin_location"


def place_text(t: Translator, place: Place, timezone: str) -> Markup:
    a = place.attendance
    order = a.order
    lines = [
        t(
            "myplaces.item",
            number=order.number,
            start=local_time(order.starts_at, timezone),
            end=local_time(order.ends_at, timezone),
            state=state_name(t, CLAIM_STATES, a.state),
        )
    ]
    if a.checked_in_at is not None:
        lines.append(t("myplaces.checked_in_at", time=local_time(a.checked_in_at, timezone)))
        if not place.can_check_out:
            opens = local_time(place.check_out_opens_at, timezone)
            lines.append(t("myplaces.check_out_opens", time=opens))
    elif not place.can_check_in:
        opens = local_time(place.check_in_opens_at, timezone)
        lines.append(t("myplaces.check_in_opens", time=opens))
    return Markup("\n".join(lines))


def check_out_button(t: Translator, number: str, claim_id: int) -> InlineKeyboardButton:
    label = t.plain("attendance.button_check_out", number=number)
    return InlineKeyboardButton(label, callback_data=callbacks.encode(CHECK_OUT, claim_id))


async def show_places(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t, attendance = tr(context), services(context).attendance
    places = await attendance.my_places(me(context))
    record = await attendance.my_record(me(context))
    if not places:
        text = "\n\n".join([t("myplaces.none"), record_text(t, record)])
        await Reply(update, context).edit_or_send(text)
        return
    parts: list[str] = [t("myplaces.title", count=len(places))]
    rows: list[list[InlineKeyboardButton]] = []
    for n, place in enumerate(places, start=1):
        parts.append(f"<b>{n}.</b> " + place_text(t, place, attendance.timezone))
        number = place.attendance.order.number
        claim_id = place.attendance.claim_id
        if place.can_check_in:
            label = t.plain("attendance.button_check_in", number=number)
            rows.append(
                [InlineKeyboardButton(label, callback_data=callbacks.encode(CHECK_IN, claim_id))]
            )
        if place.can_check_out:
            rows.append([check_out_button(t, number, claim_id)])
        if place.show_contact:  # in the place message, which is recorded and hidden later
            label = t.plain("attendance.button_contact", number=number)
            rows.append(
                [InlineKeyboardButton(label, callback_data=callbacks.encode(CONTACT, claim_id))]
            )
    parts.append(record_text(t, record))
    markup = InlineKeyboardMarkup(rows) if rows else None
    await Reply(update, context).edit_or_send("\n\n".join(parts), markup)


@domain_errors
async def myplaces_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_places(update, context)


@domain_errors
async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The place message again (address, phone, guidance), while the volunteer may see it."""
    (claim_id,) = pressed_ids(update, CONTACT)
    claim = await services(context).attendance.place_with_contact(me(context), claim_id)
    await answer(update)
    await show_place(update, context, claim)


@domain_errors
async def on_check_in(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (claim_id,) = pressed_ids(update, CHECK_IN)
    try:
        place = await services(context).attendance.check_in(me(context), claim_id)
    except CheckInNotOpen as error:
        opens = local_time(error.opens_at, timezone_of(context))
        await answer(update, t.plain("attendance.check_in_not_open", time=opens), alert=True)
        return
    done, zone = place.attendance, timezone_of(context)
    number = done.order.number
    await answer(update, t.plain("attendance.checked_in_alert", number=number))
    when = local_time(done.checked_in_at or done.order.starts_at, zone)
    if place.can_check_out:  # checked in after the start: check-out is open already
        text = t("attendance.checked_in_started", number=number, time=when)
        markup = InlineKeyboardMarkup([[check_out_button(t, number, done.claim_id)]])
    else:
        opens = local_time(place.check_out_opens_at, zone)
        text, markup = t("attendance.checked_in", number=number, time=when, opens=opens), None
    await Reply(update, context).edit_or_send(text, markup)
    await start_flow(update, context, LOCATION_FLOW, LocationDraft(claim=done.claim_id))
    wake_sender(context.application)  # the requester may be told the service started


@domain_errors
async def on_check_out(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (claim_id,) = pressed_ids(update, CHECK_OUT)
    done = await services(context).attendance.check_out(me(context), claim_id)
    minutes = done.minutes or 0
    await answer(update)
    await Reply(update, context).edit_or_send(
        t.ngettext(
            "attendance.checked_out",
            minutes,
            number=done.order.number,
            minutes=minutes,
            hours=hours(minutes),
        )
    )
    wake_sender(context.application)  # the requester may be asked to confirm


class LocationStep(Step):
    """Optional: the location where the volunteer checked in (a reply-keyboard button)."""

    name = "location"

    async def ask(self, turn: Turn) -> None:
        keyboard = ReplyKeyboardMarkup(
            [
                [
                    KeyboardButton(
                        turn.tr.plain("attendance.button_share_location"), request_location=True
                    )
                ]
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        await turn.say(turn.tr("attendance.ask_location"), keyboard)
        skip = turn.button(turn.tr.plain("button.skip"), "skip")
        await turn.say(turn.tr("attendance.ask_location_or_skip"), InlineKeyboardMarkup([[skip]]))

    async def on_location(self, turn: Turn, latitude: float, longitude: float) -> None:
        claim_id = needed(turn.draft_as(LocationDraft).claim, "claim")
        try:
            await turn.services.attendance.share_location(
                turn.me, claim_id, latitude, longitude, draft_of=turn.me.id
            )
        except DomainError:
            await turn.finish()  # refused: the question is not asked again
            raise
        await turn.say(turn.tr("attendance.location_saved"), ReplyKeyboardRemove())

    async def on_text(self, turn: Turn, text: str) -> None:
        await turn.retry("attendance.location_expected")

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        await turn.finish()
        await turn.say(turn.tr("attendance.location_skipped"), ReplyKeyboardRemove())


FLOWS = (
    Flow(LOCATION_FLOW, LocationDraft, [LocationStep()], finished, "attendance.location_skipped"),
)


HANDLERS = [
    CommandHandler("myplaces", myplaces_command),
    CallbackQueryHandler(on_check_in, pattern=callbacks.pattern(CHECK_IN)),
    CallbackQueryHandler(on_check_out, pattern=callbacks.pattern(CHECK_OUT)),
    CallbackQueryHandler(on_contact, pattern=callbacks.pattern(CONTACT)),
]
