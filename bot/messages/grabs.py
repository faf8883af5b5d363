"""Words of the grabs step: the place message a volunteer gets with a place (the
resident's address and phone, the guidance), and the notices of
bot/services/grabs/notices.py — the requester told their order filled or lost a
volunteer, a freed place offered from the waitlist (and what became of the offer), the
waitlist released."""

from __future__ import annotations

from bot import callback_data
from bot.i18n import Markup, Translator
from bot.messages.common import (
    MAX_TEXT,
    Builder,
    guidance_text,
    local_time,
    order_about,
    press_button,
)
from bot.services.grabs.notices import (
    OfferSettledEdit,
    OrderFilled,
    PlaceOffered,
    VolunteerCancelled,
    WaitlistReleased,
)
from bot.services.kernel.dto import CategoryDTO, OrderDTO
from bot.services.kernel.scheduling import Outgoing

# ---- the place message ------------------------------------------------------------


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
    """What a volunteer holding a place is shown (handlers/grabs/grab.py, and hidden
    again by bot/messages/service_day.py): what the order is about, the contact
    (:func:`place_contact`; ``requester``: the requester's name, for an order on
    someone else's behalf) — or, with ``hidden``, that note in its place — and the
    category's guidance with the order's own."""
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


# ---- notices ----------------------------------------------------------------------


def order_filled(n: OrderFilled, tr: Translator, timezone: str) -> Outgoing:
    order = n.order
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr.ngettext(
            "order.told_filled", order.places, number=order.number, places=order.places
        ),
    )


def volunteer_cancelled(n: VolunteerCancelled, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr("order.told_volunteer_cancelled", number=n.order.number),
    )


def place_offered(n: PlaceOffered, tr: Translator, timezone: str) -> Outgoing:
    """Its buttons carry the claim's version as offered: once the offer is settled
    they are stale (and edited away, :func:`offer_settled`)."""
    claim = n.claim
    assert claim.offered_at is not None and claim.offer_expires_at is not None
    ids = (claim.id, claim.version)
    buttons = (
        (
            press_button(tr.plain("button.accept_offer"), callback_data.ACCEPT_OFFER, *ids),
            press_button(tr.plain("button.decline_offer"), callback_data.DECLINE_OFFER, *ids),
        ),
    )
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=claim.volunteer_id,
        text=tr(
            "claim.told_offered",
            number=claim.order.number,
            start=local_time(claim.order.starts_at, timezone),
            until=local_time(claim.offer_expires_at, timezone),
        ),
        buttons=buttons,
    )


OFFER_OUTCOMES = {
    "accepted": "claim.offer_accepted",
    "declined": "grab.offer_declined",
    "expired": "claim.offer_ran_out",
    "withdrawn": "claim.offer_withdrawn",
}


def offer_settled(n: OfferSettledEdit, tr: Translator, timezone: str) -> Outgoing:
    """The offer message edited to say what became of the offer, without buttons."""
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=n.volunteer_id,
        text=tr(OFFER_OUTCOMES[n.outcome], number=n.number),
        kind="edit",
        edit_message_id=n.message_id,
    )


def waitlist_released(n: WaitlistReleased, tr: Translator, timezone: str) -> Outgoing:
    order = n.order
    key = "order.told_started_waitlist" if n.started else "order.told_expired_waitlist"
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr(key, number=order.number, start=local_time(order.starts_at, timezone)),
    )


BUILDERS: dict[type, Builder] = {
    OrderFilled: order_filled,
    VolunteerCancelled: volunteer_cancelled,
    PlaceOffered: place_offered,
    OfferSettledEdit: offer_settled,
    WaitlistReleased: waitlist_released,
}
