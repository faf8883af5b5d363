"""Words of the requests step (bot/services/requests/notices.py): the resident told of
each decision on their request, coordinators asked to review one (and reminded when
nobody did, 三级阵地: bot/services/requests/escalation.py) or told one is still
unfilled, volunteers told of an order they may grab, or of one its requester cancelled."""

from __future__ import annotations

from bot import callback_data
from bot.i18n import Markup, Translator
from bot.messages.common import (
    Builder,
    category_name,
    local_time,
    opens_later,
    order_about,
    press_button,
    unit_name,
)
from bot.messages.points import place_brings
from bot.services.kernel.scheduling import PRIORITY_BROADCAST, Button, Outgoing
from bot.services.requests.notices import (
    OrderAnnounced,
    OrderCancelledByRequester,
    OrderDuplicate,
    OrderEdited,
    OrderExpired,
    OrderPublished,
    OrderRejected,
    OrderUnfilled,
    ReviewRequested,
)

# ---- to the resident who asked ----------------------------------------------------


def order_published(n: OrderPublished, tr: Translator, timezone: str) -> Outgoing:
    order = n.order
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr.ngettext(
            "order.told_published",
            order.places,
            number=order.number,
            places=order.places,
            start=local_time(order.starts_at, timezone),
        ),
    )


def order_rejected(n: OrderRejected, tr: Translator, timezone: str) -> Outgoing:
    order = n.order
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr("order.told_rejected", number=order.number, reason=order.reject_reason or ""),
    )


def order_duplicate(n: OrderDuplicate, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr("order.told_duplicate", number=n.order.number, original=n.original.number),
    )


def order_expired(n: OrderExpired, tr: Translator, timezone: str) -> Outgoing:
    order = n.order
    key = "order.told_expired_unreviewed" if order.places == 0 else "order.told_expired_unfilled"
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr(key, number=order.number, start=local_time(order.starts_at, timezone)),
    )


EDITED_FIELD_LABELS = {
    "category": "field.category",
    "description": "field.description",
    "starts_at": "field.when",
    "ends_at": "field.when",
    "address": "field.address",
    "latitude": "field.address",
    "longitude": "field.address",
    "contact_phone": "field.phone",
    "helpers_requested": "field.helpers",
    "beneficiary_name": "field.beneficiary",
    "beneficiary_phone": "field.beneficiary",
    "beneficiary_address": "field.beneficiary",
}


def order_edited(n: OrderEdited, tr: Translator, timezone: str) -> Outgoing:
    """The fields' names only; the requester sees the request itself in /myrequests."""
    keys = dict.fromkeys(EDITED_FIELD_LABELS[f] for f in n.fields if f in EDITED_FIELD_LABELS)
    labels = tr.plain("field.separator").join(tr.plain(key) for key in keys)
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr("order.told_edited", number=n.order.number, fields=labels),
    )


# ---- to coordinators ----------------------------------------------------------------


def review_requested(n: ReviewRequested, tr: Translator, timezone: str) -> Outgoing:
    """With a button that opens the request."""
    order = n.order
    button = press_button(
        tr.plain("escalation.button_review", number=order.number),
        callback_data.REVIEW_ORDER,
        order.id,
    )
    values = {
        "number": order.number,
        "category": category_name(tr, order, n.category),
        "community": unit_name(tr, n.community),
        "start": local_time(order.starts_at, timezone),
    }
    if n.level is None:
        text = tr("review.new_request", **values)
    else:
        text = tr("escalation.overdue", hours=f"{n.hours:g}", **values)
    return Outgoing(chat_id=n.to.telegram_id, text=text, buttons=((button,),))


def order_unfilled(n: OrderUnfilled, tr: Translator, timezone: str) -> Outgoing:
    """The button announces it to the whole street."""
    order = n.order
    buttons: tuple[tuple[Button, ...], ...] = ()
    if n.widen:
        buttons = (
            (press_button(tr.plain("escalation.button_widen"), callback_data.WIDEN, order.id),),
        )
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr(
            "escalation.unfilled",
            number=order.number,
            community=unit_name(tr, n.community),
            start=local_time(order.starts_at, timezone),
            taken=order.taken,
            places=order.places,
        ),
        buttons=buttons,
    )


# ---- to volunteers ------------------------------------------------------------------


def order_announced(n: OrderAnnounced, tr: Translator, timezone: str) -> Outgoing:
    """What was asked for, and when grabbing opens if not yet; no address, no phone."""
    order = n.order
    button = press_button(tr.plain("grab.button_grab"), callback_data.GRAB, order.id)
    if opens_later(order, n.now):
        assert order.opens_at is not None
        how = tr("grab.announced_opens", opens=local_time(order.opens_at, timezone))
    else:
        how = tr("grab.announced_open")
    if n.points > 0:  # what a place brings, before how to take one
        how = Markup(f"{place_brings(tr, order, n.points, 0)}\n{how}")
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=n.volunteer_id,
        text=tr(
            "grab.announced",
            number=order.number,
            about=order_about(tr, order),
            category=category_name(tr, order, n.category),
            start=local_time(order.starts_at, timezone),
            end=local_time(order.ends_at, timezone),
            community=n.community.name(tr.language),
            places=order.places,
            how=how,
        ),
        buttons=((button,),),
        priority=PRIORITY_BROADCAST,
    )


def order_cancelled_by_requester(
    n: OrderCancelledByRequester, tr: Translator, timezone: str
) -> Outgoing:
    order = n.order
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr(
            "myrequests.told_volunteer",
            number=order.number,
            start=local_time(order.starts_at, timezone),
        ),
    )


BUILDERS: dict[type, Builder] = {
    OrderPublished: order_published,
    OrderRejected: order_rejected,
    OrderDuplicate: order_duplicate,
    OrderExpired: order_expired,
    OrderEdited: order_edited,
    ReviewRequested: review_requested,
    OrderUnfilled: order_unfilled,
    OrderAnnounced: order_announced,
    OrderCancelledByRequester: order_cancelled_by_requester,
}
