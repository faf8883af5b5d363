"""Words of the service day (bot/services/service_day/notices.py): reminders before the
service, the place message hidden again, the requester told the service started, asked
to confirm it, told who is coming and when it completed; no-shows, automatic
check-outs, the hours served (实践服务) and corrected."""

from __future__ import annotations

from bot import callback_data
from bot.i18n import Markup, Translator
from bot.messages.common import (
    Builder,
    category_name,
    duration_text,
    hours,
    local_time,
    press_button,
    unit_name,
)
from bot.messages.grabs import place_text
from bot.services.kernel.dto import OrderDTO
from bot.services.kernel.scheduling import PRIORITY_REMINDER, Button, Outgoing
from bot.services.service_day.notices import (
    AutoCheckedOut,
    ConfirmService,
    HelpersComing,
    HoursCorrected,
    NobodyCame,
    NoShow,
    NoShowToCoordinator,
    OrderCompleted,
    PlaceHidden,
    ServiceCompleted,
    ServiceReminder,
    ServiceStarted,
)

# ---- before the service -----------------------------------------------------------


def service_reminder(n: ServiceReminder, tr: Translator, timezone: str) -> Outgoing:
    """With the cancel button (the service sends it only while cancelling is allowed)
    and, when cancelling now counts as late, a warning. Not the address: that is in
    the place message, which is hidden again after the service."""
    order = n.claim.order
    text = tr(
        "reminder.told",
        number=order.number,
        category=category_name(tr, order, n.category),
        community=unit_name(tr, n.community),
        start=local_time(order.starts_at, timezone),
        end=local_time(order.ends_at, timezone),
    )
    if n.late_after_hours is not None:
        late = tr("reminder.late_note", span=duration_text(tr, n.late_after_hours))
        text = Markup(text + "\n" + late)
    button = press_button(
        tr.plain("grab.button_cancel_place"), callback_data.CANCEL_PLACE, n.claim.id
    )
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=n.claim.volunteer_id,
        text=text,
        buttons=((button,),),
        priority=PRIORITY_REMINDER,
    )


def helpers_coming(n: HelpersComing, tr: Translator, timezone: str) -> Outgoing:
    order = n.order
    separator = tr.plain("reminder.name_separator")
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=order.requester_id,
        text=tr.ngettext(
            "reminder.coming",
            len(n.names),
            number=order.number,
            count=len(n.names),
            start=local_time(order.starts_at, timezone),
            names=separator.join(n.names),
        ),
        priority=PRIORITY_REMINDER,
    )


def place_hidden(n: PlaceHidden, tr: Translator, timezone: str) -> Outgoing:
    """Without the resident's address and phone, and no buttons: after the service, the
    same text with them hidden; once the place is given up (or the order called off),
    that — not the congratulation any more."""
    claim, order = n.claim, n.claim.order
    if claim.state == "cancelled":
        if order.state == "cancelled":
            key = "grab.place_called_off"
        else:
            key = "grab.place_given_up_late" if claim.late_cancel else "grab.place_given_up"
        text = tr(
            key,
            number=order.number,
            start=local_time(order.starts_at, timezone),
            end=local_time(order.ends_at, timezone),
        )
    else:
        text = place_text(tr, order, n.category, timezone, hidden="contact.hidden")
    return Outgoing(
        chat_id=n.chat_id,
        user_id=claim.volunteer_id,
        text=text,
        kind="edit",
        edit_message_id=n.message_id,
        priority=PRIORITY_REMINDER,
    )


# ---- to the requester ---------------------------------------------------------------


def service_started(n: ServiceStarted, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id, text=tr("order.told_in_service", number=n.order.number)
    )


def confirm_service(n: ConfirmService, tr: Translator, timezone: str) -> Outgoing:
    button = press_button(
        tr.plain("order.button_confirm_service"), callback_data.CONFIRM_SERVICE, n.order.id
    )
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr("order.ask_confirm_service", number=n.order.number),
        buttons=((button,),),
    )


def nobody_came(n: NobodyCame, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id, text=tr("order.told_nobody_came", number=n.order.number)
    )


def order_completed(n: OrderCompleted, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id, text=tr("order.told_completed", number=n.order.number)
    )


# ---- to volunteers and coordinators -------------------------------------------------


def no_show(n: NoShow, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id, text=tr("attendance.told_no_show", number=n.order.number)
    )


def view_order_button(tr: Translator, order: OrderDTO) -> Button:
    """A coordinator's button to the order's card (its attendance, records, ratings)."""
    return press_button(
        tr.plain("attendance.button_view_order", number=order.number),
        callback_data.ORDER_ATTENDANCE,
        order.id,
    )


def no_show_to_coordinator(n: NoShowToCoordinator, tr: Translator, timezone: str) -> Outgoing:
    order = n.order
    button = view_order_button(tr, order)
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr(
            "attendance.told_no_show_coordinator",
            number=order.number,
            name=n.name,
            start=local_time(order.starts_at, timezone),
        ),
        buttons=((button,),),
    )


def served(n: AutoCheckedOut | ServiceCompleted | HoursCorrected) -> dict[str, object]:
    """What a message about a volunteer's time on an order fills in: the order's number,
    the minutes and the hours."""
    return {"number": n.order.number, "minutes": n.minutes, "hours": hours(n.minutes)}


def auto_checked_out(n: AutoCheckedOut, tr: Translator, timezone: str) -> Outgoing:
    text = tr.ngettext("attendance.told_auto_checked_out", n.minutes, **served(n))
    return Outgoing(chat_id=n.to.telegram_id, text=text)


def service_completed(n: ServiceCompleted, tr: Translator, timezone: str) -> Outgoing:
    text = tr.ngettext("attendance.told_completed", n.minutes, **served(n))
    return Outgoing(chat_id=n.to.telegram_id, text=text)


def hours_corrected(n: HoursCorrected, tr: Translator, timezone: str) -> Outgoing:
    text = tr.ngettext("attendance.told_corrected", n.minutes, reason=n.reason, **served(n))
    return Outgoing(chat_id=n.to.telegram_id, text=text)


BUILDERS: dict[type, Builder] = {
    ServiceReminder: service_reminder,
    HelpersComing: helpers_coming,
    PlaceHidden: place_hidden,
    ServiceStarted: service_started,
    ConfirmService: confirm_service,
    NobodyCame: nobody_came,
    OrderCompleted: order_completed,
    NoShow: no_show,
    NoShowToCoordinator: no_show_to_coordinator,
    AutoCheckedOut: auto_checked_out,
    ServiceCompleted: service_completed,
    HoursCorrected: hours_corrected,
}
