"""Service (实践服务): /myplaces with check in / check out for volunteers; /order for
coordinators (each volunteer's attendance, guidance and record; correct hours;
confirm completion); the requester's "service done" button.

Every press is re-checked by AttendanceService against the database and the presser:
a forged claim id is NotFound, an order outside the coordinator's unit NotInScope.
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
from bot.services.attendance_common import Attendance, Record
from bot.services.check_in import Place
from bot.services.errors import CheckInNotOpen, DomainError, InvalidValue
from bot.services.notices import hours, local_time
from bot.services.order_views import PAGE_SIZE, OrderView
from bot.services.service_records import MAX_MINUTES
from bot.services.validation import typed_number
from handlers.common import (
    Reply,
    answer,
    answer_error,
    domain_errors,
    me,
    pressed_ids,
    services,
    tr,
)
from handlers.flow import Flow, Step, Turn, register_flow, start_flow
from handlers.grab import show_place
from handlers.paging import nav_row

CHECK_IN = "ai"  # ai:<claim id>
CHECK_OUT = "ao"  # ao:<claim id>
CONTACT = "ac"  # ac:<claim id>  (the place message, with the address and phone)
CORRECT = "ah"  # ah:<claim id>  (a coordinator corrects the minutes)
LIVE_PAGE = "al"  # al:<page>
VIEW = callbacks.ORDER_ATTENDANCE  # av:<order id>
COMPLETE = callbacks.CONFIRM_SERVICE  # sc:<order id>
LOCATION_FLOW = "checkin_location"
CORRECT_FLOW = "correct_hours"

CLAIM_STATES = {
    "claimed": "attendance.state_claimed",
    "checked_in": "attendance.state_checked_in",
    "done": "attendance.state_done",
    "no_show": "attendance.state_no_show",
}
ORDER_STATES = {
    "open": "myrequests.state_open",
    "filled": "myrequests.state_filled",
    "in_service": "myrequests.state_in_service",
    "completed": "myrequests.state_completed",
    "cancelled": "myrequests.state_cancelled",
    "expired": "myrequests.state_expired",
}


def _timezone(context: ContextTypes.DEFAULT_TYPE) -> str:
    return services(context).attendance.timezone


def _state(t: Translator, names: dict[str, str], state: str) -> str:
    return t.plain(names[state]) if state in names else state


def record_text(t: Translator, record: Record) -> Markup:
    return t.ngettext(
        "attendance.record",
        record.services,
        services=record.services,
        hours=hours(record.minutes),
        late=record.late_cancels,
        no_shows=record.no_shows,
    )


# ---- the volunteer: /myplaces -----------------------------------------------------------


def place_text(t: Translator, place: Place, timezone: str) -> Markup:
    a = place.attendance
    order = a.order
    lines = [
        t(
            "myplaces.item",
            number=order.number,
            start=local_time(order.starts_at, timezone),
            end=local_time(order.ends_at, timezone),
            state=_state(t, CLAIM_STATES, a.state),
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
        opens = local_time(error.opens_at, _timezone(context))
        await answer(update, t.plain("attendance.check_in_not_open", time=opens), alert=True)
        return
    done, zone = place.attendance, _timezone(context)
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
    await start_flow(update, context, LOCATION_FLOW, {"claim": done.claim_id})
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
        claim_id = int(turn.data["claim"])
        await turn.finish()
        await turn.services.attendance.share_location(turn.me, claim_id, latitude, longitude)
        await turn.say(turn.tr("attendance.location_saved"), ReplyKeyboardRemove())

    async def on_text(self, turn: Turn, text: str) -> None:
        await turn.retry("attendance.location_expected")

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        await turn.finish()
        await turn.say(turn.tr("attendance.location_skipped"), ReplyKeyboardRemove())


async def _finished(turn: Turn) -> None:
    await turn.finish()


register_flow(Flow(LOCATION_FLOW, [LocationStep()], _finished, "attendance.location_skipped"))


# ---- coordinators: /order -----------------------------------------------------------------


def row_text(t: Translator, n: int, a: Attendance, record: Record, timezone: str) -> str:
    guidance = (
        "attendance.guidance_read" if a.guidance_confirmed_at else "attendance.guidance_unread"
    )
    times = []
    if a.checked_in_at is not None:
        times.append(t.plain("attendance.in_at", time=local_time(a.checked_in_at, timezone)))
    if a.checked_out_at is not None:
        times.append(t.plain("attendance.out_at", time=local_time(a.checked_out_at, timezone)))
    flags = []
    if a.located:
        flags.append(t.plain("attendance.flag_located"))
    if a.auto_checked_out:
        flags.append(t.plain("attendance.flag_auto"))
    if a.minutes_corrected:
        flags.append(t.plain("attendance.flag_corrected"))
    lines: list[str] = [
        t(
            "attendance.row",
            n=n,
            name=a.volunteer_name,
            state=_state(t, CLAIM_STATES, a.state),
            guidance=t.plain(guidance),
        )
    ]
    if times or a.minutes is not None:
        minutes = a.minutes or 0
        lines.append(
            t(
                "attendance.row_times",
                times=" · ".join(times) or "—",
                minutes=minutes,
                hours=hours(minutes),
                flags=" ".join(flags),
            )
        )
    lines.append(record_text(t, record))
    return "\n".join(lines)


def view_text(t: Translator, view: OrderView, timezone: str) -> str:
    order = view.order
    if order.state in ("open", "filled"):  # before the start: places taken
        count = t("attendance.view_places", taken=order.taken, places=order.places)
    else:  # served and forfeited places are given back: count who came instead
        came = sum(a.state in ("checked_in", "done") for a, _ in view.rows)
        count = t("attendance.view_attended", came=came, places=order.places)
    parts: list[str] = [
        t(
            "attendance.view_title",
            number=order.number,
            start=local_time(order.starts_at, timezone),
            end=local_time(order.ends_at, timezone),
            state=_state(t, ORDER_STATES, order.state),
            count=count,
        )
    ]
    if not view.rows:
        parts.append(t("attendance.view_nobody"))
    for n, (a, record) in enumerate(view.rows, start=1):
        parts.append(row_text(t, n, a, record, timezone))
    if view.completable:
        parts.append(t("attendance.view_completable"))
    return "\n\n".join(parts)


def view_markup(t: Translator, view: OrderView) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                t.plain("attendance.button_correct", name=a.volunteer_name),
                callback_data=callbacks.encode(CORRECT, a.claim_id),
            )
        ]
        for a, _ in view.rows
        if a.state in ("done", "no_show")
    ]
    if view.completable:
        rows.append(
            [
                InlineKeyboardButton(
                    t.plain("attendance.button_complete"),
                    callback_data=callbacks.encode(COMPLETE, view.order.id),
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                t.plain("attendance.button_refresh"),
                callback_data=callbacks.encode(VIEW, view.order.id),
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


async def show_view(
    update: Update, context: ContextTypes.DEFAULT_TYPE, order_id: int, *, edit: bool = True
) -> None:
    t = tr(context)
    view = await services(context).attendance.order_view(me(context), order_id)
    text, markup = view_text(t, view, _timezone(context)), view_markup(t, view)
    if edit:
        await Reply(update, context).edit_or_send(text, markup)
    else:
        await Reply(update, context).send(text, markup)


async def show_live(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    t = tr(context)
    result = await services(context).attendance.live_orders(me(context), page)
    if not result.total:
        await Reply(update, context).edit_or_send(t("attendance.live_none"))
        return
    lines: list[str] = [
        t("attendance.live_title", total=result.total, page=result.page + 1, pages=result.pages)
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for n, order in enumerate(result.items, start=1 + result.page * PAGE_SIZE):
        # once it started, served and forfeited places are given back: a count of the
        # places taken would read "0/2" for an order served in full (the order's own
        # view counts who came)
        started = order.state not in ("open", "filled")
        line = t(
            "attendance.live_item_started" if started else "attendance.live_item",
            number=order.number,
            start=local_time(order.starts_at, _timezone(context)),
            state=_state(t, ORDER_STATES, order.state),
            taken=order.taken,
            places=order.places,
        )
        lines.append(f"<b>{n}.</b> " + line)
        label = t.plain("attendance.button_view_order", number=order.number)
        rows.append([InlineKeyboardButton(label, callback_data=callbacks.encode(VIEW, order.id))])
    if nav := nav_row(LIVE_PAGE, result):
        rows.append(nav)
    await Reply(update, context).edit_or_send("\n".join(lines), InlineKeyboardMarkup(rows))


@domain_errors
async def order_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/order lists the live orders of the coordinator's unit; /order HY000042 shows one."""
    if context.args:
        order_id = await services(context).attendance.find_order(me(context), context.args[0])
        await show_view(update, context, order_id)
        return
    await show_live(update, context, 0)


@domain_errors
async def on_live_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (page,) = pressed_ids(update, LIVE_PAGE)
    await answer(update)
    await show_live(update, context, max(0, page))


@domain_errors
async def on_view(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (order_id,) = pressed_ids(update, VIEW)
    await show_view(update, context, order_id)
    await answer(update)


@domain_errors
async def on_complete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The requester's button (from the outbox) or a coordinator's, on the order view."""
    t = tr(context)
    (order_id,) = pressed_ids(update, COMPLETE)
    order = await services(context).attendance.confirm_completion(me(context), order_id)
    await answer(update, t.plain("attendance.completed_alert", number=order.number))
    await Reply(update, context).edit_or_send(t("attendance.completed", number=order.number))
    wake_sender(context.application)  # the requester and the volunteers are told


@domain_errors
async def on_correct(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (claim_id,) = pressed_ids(update, CORRECT)
    claim = await services(context).attendance.correctable(me(context), claim_id)
    await answer(update)
    data = {
        "claim": claim.claim_id,
        "order": claim.order.id,
        "name": claim.volunteer_name,
        "number": claim.order.number,
        "minutes": claim.minutes or 0,
    }
    await start_flow(update, context, CORRECT_FLOW, data)


class MinutesStep(Step):
    name = "minutes"

    async def ask(self, turn: Turn) -> None:
        d = turn.data
        text = turn.tr.ngettext(
            "attendance.ask_minutes",
            int(d["minutes"]),
            name=d["name"],
            number=d["number"],
            minutes=d["minutes"],
            max=MAX_MINUTES,
        )
        await turn.show(text, turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        minutes = typed_number(text)
        if minutes is None or not 0 <= minutes <= MAX_MINUTES:
            raise InvalidValue("minutes", "range", min=0, max=MAX_MINUTES)
        turn.data["new_minutes"] = minutes
        await turn.advance()


class CorrectionReasonStep(Step):
    name = "reason"

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("attendance.ask_reason"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        d = turn.data
        try:
            done = await turn.services.attendance.correct_hours(
                turn.me, int(d["claim"]), int(d["new_minutes"]), text
            )
        except InvalidValue as error:
            await turn.invalid(error)
            return
        except DomainError as error:
            await turn.finish()
            await answer_error(turn.update, turn.context, error)
            return
        await turn.finish()
        minutes = done.minutes or 0
        await turn.say(
            turn.tr.ngettext(
                "attendance.corrected",
                minutes,
                name=d["name"],
                minutes=minutes,
                hours=hours(minutes),
            )
        )
        wake_sender(turn.context.application)  # the volunteer is told
        await show_view(turn.update, turn.context, int(d["order"]), edit=False)


register_flow(Flow(CORRECT_FLOW, [MinutesStep(), CorrectionReasonStep()], _finished))


HANDLERS = [
    CommandHandler("myplaces", myplaces_command),
    CommandHandler("order", order_command),
    CallbackQueryHandler(on_check_in, pattern=callbacks.pattern(CHECK_IN)),
    CallbackQueryHandler(on_check_out, pattern=callbacks.pattern(CHECK_OUT)),
    CallbackQueryHandler(on_contact, pattern=callbacks.pattern(CONTACT)),
    CallbackQueryHandler(on_view, pattern=callbacks.pattern(VIEW)),
    CallbackQueryHandler(on_live_page, pattern=callbacks.pattern(LIVE_PAGE)),
    CallbackQueryHandler(on_complete, pattern=callbacks.pattern(COMPLETE)),
    CallbackQueryHandler(on_correct, pattern=callbacks.pattern(CORRECT)),
]
