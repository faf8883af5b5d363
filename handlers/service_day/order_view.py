"""Service (实践服务) for coordinators: /order lists their unit's live orders, and an
order's view shows each volunteer's attendance, guidance and record, with buttons to
correct hours (handlers/service_day/correct_hours.py) and to confirm completion; the requester's
"service done" button.

Every press is re-checked by AttendanceService against the database and the presser:
a forged order id is NotFound, an order outside the coordinator's unit NotInScope.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.i18n import Markup, Translator
from bot.messages.common import hours, local_time
from bot.messages.points import place_brings
from bot.messages.ratings import stars, summary_text
from bot.services.kernel.states import ClaimState, OrderState
from bot.services.service_day.common import Attendance, Record
from bot.services.service_day.order_views import PAGE_SIZE, OrderView
from handlers.common import Reply, answer, domain_errors, me, pressed_ids, services, tr
from handlers.paging import nav_row
from handlers.service_day.common import CLAIM_STATES, record_text, state_name, timezone_of

CORRECT = "ah"  # ah:<claim id>  (a coordinator corrects the minutes)
LIVE_PAGE = "al"  # al:<page>
VIEW = callbacks.ORDER_ATTENDANCE  # av:<order id>
COMPLETE = callbacks.CONFIRM_SERVICE  # sc:<order id>

ORDER_STATES = {
    OrderState.OPEN: "myrequests.state_open",
    OrderState.FILLED: "myrequests.state_filled",
    OrderState.IN_SERVICE: "myrequests.state_in_service",
    OrderState.COMPLETED: "myrequests.state_completed",
    OrderState.CANCELLED: "myrequests.state_cancelled",
    OrderState.EXPIRED: "myrequests.state_expired",
}


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
            state=state_name(t, CLAIM_STATES, a.state),
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


def ratings_text(t: Translator, view: OrderView, a: Attendance) -> str:
    """The stars the resident gave this volunteer here, and their average."""
    lines = []
    given = view.ratings.stars.get(a.claim_id) if view.ratings else None
    if given is not None:
        lines.append(t("rating.view_given", stars=stars(given), n=given))
    if a.volunteer_id in view.averages:
        lines.append(summary_text(t, view.averages[a.volunteer_id]))
    return "\n".join(lines)


def view_text(t: Translator, view: OrderView, timezone: str, brings: Markup | None = None) -> str:
    """The order's view; ``brings``: what a place brings (the points line)."""
    order = view.order
    if order.state in (OrderState.OPEN, OrderState.FILLED):  # before the start: places taken
        count = t("attendance.view_places", taken=order.taken, places=order.places)
    else:  # served and forfeited places are given back: count who came instead
        came = sum(a.state in (ClaimState.CHECKED_IN, ClaimState.DONE) for a, _ in view.rows)
        count = t("attendance.view_attended", came=came, places=order.places)
    parts: list[str] = [
        t(
            "attendance.view_title",
            number=order.number,
            start=local_time(order.starts_at, timezone),
            end=local_time(order.ends_at, timezone),
            state=state_name(t, ORDER_STATES, order.state),
            count=count,
        )
    ]
    if brings is not None:
        parts[0] = Markup(f"{parts[0]}\n{brings}")
    if not view.rows:
        parts.append(t("attendance.view_nobody"))
    for n, (a, record) in enumerate(view.rows, start=1):
        row = row_text(t, n, a, record, timezone)
        if extra := ratings_text(t, view, a):
            row += "\n" + extra
        parts.append(row)
    if view.ratings is not None and view.ratings.comment:
        parts.append(t("rating.comment_line", comment=view.ratings.comment))
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
        if a.state in (ClaimState.DONE, ClaimState.NO_SHOW)
    ]
    rows += [
        [
            InlineKeyboardButton(
                t.plain("adjust.button", name=a.volunteer_name),
                callback_data=callbacks.encode(callbacks.ADJUST_POINTS, a.volunteer_id),
            )
        ]
        for a, _ in view.rows
        if a.state is ClaimState.DONE
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
    orders = services(context).orders
    brings = place_brings(t, view.order, orders.place_points(view.order), orders.default_rate)
    text, markup = view_text(t, view, timezone_of(context), brings), view_markup(t, view)
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
        started = order.state not in (OrderState.OPEN, OrderState.FILLED)
        line = t(
            "attendance.live_item_started" if started else "attendance.live_item",
            number=order.number,
            start=local_time(order.starts_at, timezone_of(context)),
            state=state_name(t, ORDER_STATES, order.state),
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


HANDLERS = [
    CommandHandler("order", order_command),
    CallbackQueryHandler(on_view, pattern=callbacks.pattern(VIEW)),
    CallbackQueryHandler(on_live_page, pattern=callbacks.pattern(LIVE_PAGE)),
    CallbackQueryHandler(on_complete, pattern=callbacks.pattern(COMPLETE)),
]
