"""The place message (a volunteer's place with the resident's address and phone,
hidden again after the service or once given up), and the reminders before the
service (bot/services/service_day/reminders.py, bot/services/service_day/contact.py)."""

from __future__ import annotations

import hashlib

from bot import callback_data
from bot.i18n import Markup, Translator, get_translator
from bot.rendering import duration_text
from bot.services.kernel.dto import CategoryDTO, ClaimDTO, OrderDTO, Recipient
from bot.services.kernel.scheduling import PRIORITY_REMINDER, Outgoing
from bot.services.notices.common import (
    MAX_TEXT,
    guidance_text,
    hours_label,
    local_time,
    order_about,
    press_button,
)


def place_contact(
    tr: Translator, order: OrderDTO, requester: str | None, hidden: str | None
) -> Markup:
    """Where to go and whom to call. For someone without Telegram: the person helped,
    then the requester as a second contact. With ``hidden``, that note instead of all
    of it (names included)."""
    if hidden is not None:
        return tr("grab.contact", address=tr(hidden), phone=tr(hidden))
    if order.beneficiary_name is None:
        return tr("grab.contact", address=order.address, phone=order.contact_phone)
    return tr(
        "grab.contact_behalf",
        name=order.beneficiary_name,
        address=order.beneficiary_address or order.address,
        phone=order.beneficiary_phone or order.contact_phone,
        requester=requester or tr.plain("grab.requester"),
        requester_phone=order.contact_phone,
        requester_address=order.address,
    )


def place_text(
    tr: Translator,
    order: OrderDTO,
    category: CategoryDTO | None,
    timezone: str,
    *,
    requester: str | None = None,
    hidden: str | None = None,
) -> Markup:
    """What a volunteer holding a place is shown (as handlers/grabs/grab.py ``place_text``):
    what the order is about, the contact (:func:`place_contact`; ``requester``: the
    requester's name, for an order on someone else's behalf) — or, with ``hidden``,
    that note in its place — and the category's guidance with the order's own."""
    values = {
        "number": order.number,
        "start": local_time(order.starts_at, timezone),
        "end": local_time(order.ends_at, timezone),
        "contact": place_contact(tr, order, requester, hidden),
        "guidance": guidance_text(tr, category, order.guidance),
    }
    text = tr("grab.got", about=order_about(tr, order), **values)
    if len(text) > MAX_TEXT:  # the whole description does not fit with the guidance
        text = tr("grab.got", about=order_about(tr, order, short=True), **values)
    return text


def place_hidden(
    volunteer: Recipient,
    reveal_id: int,
    chat_id: int,
    message_id: int,
    claim: ClaimDTO,
    category: CategoryDTO | None,
    timezone: str,
) -> tuple[str, Outgoing]:
    """An edit of a place message, without the resident's address and phone, and no
    buttons: after the service, the same text with them hidden; once the place is
    given up (or the order called off), that — not the congratulation any more."""
    tr = get_translator(volunteer.language)
    order = claim.order
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
        text = place_text(tr, order, category, timezone, hidden="contact.hidden")
    return f"contact.hide:{reveal_id}", Outgoing(
        chat_id=chat_id,
        user_id=claim.volunteer_id,
        text=text,
        kind="edit",
        edit_message_id=message_id,
        priority=PRIORITY_REMINDER,
    )


def service_reminder(
    volunteer: Recipient,
    claim: ClaimDTO,
    hours: float,
    category: str,
    community: str,
    late_after_hours: float | None,
    timezone: str,
) -> tuple[str, Outgoing]:
    """A reminder to a volunteer holding a place, ``hours`` before the start, with the
    cancel button (the caller sends it only while cancelling is allowed); with
    ``late_after_hours``, a warning that cancelling now counts as late. Not the address:
    that is in the place message, which is hidden again after the service."""
    tr = get_translator(volunteer.language)
    order = claim.order
    text = tr(
        "reminder.told",
        number=order.number,
        category=category,
        community=community,
        start=local_time(order.starts_at, timezone),
        end=local_time(order.ends_at, timezone),
    )
    if late_after_hours is not None:
        late = tr("reminder.late_note", span=duration_text(tr, late_after_hours))
        text = Markup(text + "\n" + late)
    button = press_button(
        tr.plain("grab.button_cancel_place"), callback_data.CANCEL_PLACE, claim.id
    )
    return f"claim.remind:{claim.id}:{hours_label(hours)}", Outgoing(
        chat_id=volunteer.telegram_id,
        user_id=claim.volunteer_id,
        text=text,
        buttons=((button,),),
        priority=PRIORITY_REMINDER,
    )


def helpers_coming(
    requester: Recipient,
    order: OrderDTO,
    claim_ids: list[int],
    names: list[str],
    timezone: str,
) -> tuple[str, Outgoing]:
    """The resident told who is coming. Keyed by the set of places held, so it is sent
    again only when that set changed."""
    tr = get_translator(requester.language)
    digest = hashlib.sha256(",".join(map(str, sorted(claim_ids))).encode()).hexdigest()[:16]
    separator = tr.plain("reminder.name_separator")
    return f"order.coming:{order.id}:{digest}", Outgoing(
        chat_id=requester.telegram_id,
        user_id=order.requester_id,
        text=tr.ngettext(
            "reminder.coming",
            len(names),
            number=order.number,
            count=len(names),
            start=local_time(order.starts_at, timezone),
            names=separator.join(names),
        ),
        priority=PRIORITY_REMINDER,
    )
