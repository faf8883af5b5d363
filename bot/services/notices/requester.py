"""Notices to the resident who asked for help: every change of their order, from
publication to completion."""

from __future__ import annotations

from datetime import datetime

from bot import callback_data
from bot.i18n import get_translator
from bot.services.kernel.dto import OrderDTO, Recipient
from bot.services.kernel.scheduling import Outgoing
from bot.services.notices.common import local_time, press_button, stamp


def order_published(requester: Recipient, order: OrderDTO, timezone: str) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.published:{order.id}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr.ngettext(
            "order.told_published",
            order.places,
            number=order.number,
            places=order.places,
            start=local_time(order.starts_at, timezone),
        ),
    )


def order_rejected(requester: Recipient, order: OrderDTO) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.rejected:{order.id}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr("order.told_rejected", number=order.number, reason=order.reject_reason or ""),
    )


def order_duplicate(
    requester: Recipient, order: OrderDTO, original: OrderDTO
) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.duplicate:{order.id}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr("order.told_duplicate", number=order.number, original=original.number),
    )


def order_filled(requester: Recipient, order: OrderDTO, at: datetime) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.filled:{order.id}:{stamp(at)}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr.ngettext(
            "order.told_filled", order.places, number=order.number, places=order.places
        ),
    )


def order_volunteer_cancelled(
    requester: Recipient, order: OrderDTO, claim_id: int, at: datetime
) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.volunteer_cancelled:{claim_id}:{stamp(at)}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr("order.told_volunteer_cancelled", number=order.number),
    )


def order_expired(requester: Recipient, order: OrderDTO, timezone: str) -> tuple[str, Outgoing]:
    """The requester: nobody reviewed (or nobody took) the request before its start."""
    tr = get_translator(requester.language)
    key = "order.told_expired_unreviewed" if order.places == 0 else "order.told_expired_unfilled"
    return f"order.expired:{order.id}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr(key, number=order.number, start=local_time(order.starts_at, timezone)),
    )


def order_edited(
    requester: Recipient, order: OrderDTO, fields: tuple[str, ...], at: datetime
) -> tuple[str, Outgoing]:
    """The requester: a coordinator changed these fields of their request (names only;
    the requester sees the request itself in /myrequests)."""
    tr = get_translator(requester.language)
    keys = dict.fromkeys(EDITED_FIELD_LABELS[f] for f in fields if f in EDITED_FIELD_LABELS)
    labels = tr.plain("field.separator").join(tr.plain(key) for key in keys)
    return f"order.edited:{order.id}:{stamp(at)}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr("order.told_edited", number=order.number, fields=labels),
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


def service_started(requester: Recipient, order: OrderDTO) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.started:{order.id}", Outgoing(
        chat_id=requester.telegram_id, text=tr("order.told_in_service", number=order.number)
    )


def confirm_service(requester: Recipient, order: OrderDTO) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    button = press_button(
        tr.plain("order.button_confirm_service"), callback_data.CONFIRM_SERVICE, order.id
    )
    return f"order.confirm:{order.id}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr("order.ask_confirm_service", number=order.number),
        buttons=((button,),),
    )


def nobody_came(requester: Recipient, order: OrderDTO) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.nobody_came:{order.id}", Outgoing(
        chat_id=requester.telegram_id, text=tr("order.told_nobody_came", number=order.number)
    )


def order_completed(requester: Recipient, order: OrderDTO) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.completed:{order.id}", Outgoing(
        chat_id=requester.telegram_id, text=tr("order.told_completed", number=order.number)
    )
