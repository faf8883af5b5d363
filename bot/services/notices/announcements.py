"""Notices to volunteers about orders they may take: the announcement with its Grab
button, a freed place offered from the waitlist (and what became of the offer), an
order called off, the waitlist released."""

from __future__ import annotations

from datetime import datetime

from bot import callback_data
from bot.i18n import get_translator
from bot.services.kernel.dto import ClaimDTO, OrderDTO, Recipient
from bot.services.kernel.scheduling import PRIORITY_BROADCAST, Outgoing
from bot.services.notices.common import local_time, opens_later, order_about, press_button, stamp


def offer_key(claim_id: int, offered_at: datetime) -> str:
    """The outbox key of the message offering a freed place (one per offer)."""
    return f"claim.offered:{claim_id}:{stamp(offered_at)}"


def place_offered(volunteer: Recipient, claim: ClaimDTO, timezone: str) -> tuple[str, Outgoing]:
    """A freed place offered to a waitlisted volunteer. Its buttons carry the claim's
    version as offered: once the offer is settled they are stale (and edited away,
    :func:`offer_settled`)."""
    tr = get_translator(volunteer.language)
    assert claim.offered_at is not None and claim.offer_expires_at is not None
    ids = (claim.id, claim.version)
    buttons = (
        (
            press_button(tr.plain("button.accept_offer"), callback_data.ACCEPT_OFFER, *ids),
            press_button(tr.plain("button.decline_offer"), callback_data.DECLINE_OFFER, *ids),
        ),
    )
    return offer_key(claim.id, claim.offered_at), Outgoing(
        chat_id=volunteer.telegram_id,
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


def offer_settled(
    volunteer: Recipient,
    volunteer_id: int,
    offer: str,
    message_id: int,
    number: str,
    outcome: str,
) -> tuple[str, Outgoing]:
    """An edit of the offer message ``message_id`` (outbox key ``offer``): what became
    of the offer (``outcome``: accepted, declined, expired, withdrawn), no buttons."""
    tr = get_translator(volunteer.language)
    return f"{offer}:settled", Outgoing(
        chat_id=volunteer.telegram_id,
        user_id=volunteer_id,
        text=tr(OFFER_OUTCOMES[outcome], number=number),
        kind="edit",
        edit_message_id=message_id,
    )


def order_announced(
    volunteer: Recipient,
    volunteer_id: int,
    order: OrderDTO,
    category: str,
    community: str,
    timezone: str,
    now: datetime,
) -> tuple[str, Outgoing]:
    """A published order, to a volunteer who may grab it: what was asked for, and when
    grabbing opens if not yet; no address, no phone."""
    tr = get_translator(volunteer.language)
    button = press_button(tr.plain("grab.button_grab"), callback_data.GRAB, order.id)
    if opens_later(order, now):
        assert order.opens_at is not None
        how = tr("grab.announced_opens", opens=local_time(order.opens_at, timezone))
    else:
        how = tr("grab.announced_open")
    return f"publish:{order.id}:{volunteer_id}", Outgoing(
        chat_id=volunteer.telegram_id,
        user_id=volunteer_id,
        text=tr(
            "grab.announced",
            number=order.number,
            about=order_about(tr, order),
            category=category,
            start=local_time(order.starts_at, timezone),
            end=local_time(order.ends_at, timezone),
            community=community,
            places=order.places,
            how=how,
        ),
        buttons=((button,),),
        priority=PRIORITY_BROADCAST,
    )


def order_cancelled_by_requester(
    volunteer: Recipient, order: OrderDTO, timezone: str
) -> tuple[str, Outgoing]:
    """A volunteer holding a place (or waiting for one) on an order its requester cancelled."""
    tr = get_translator(volunteer.language)
    return f"order.requester_cancelled:{order.id}:{volunteer.telegram_id}", Outgoing(
        chat_id=volunteer.telegram_id,
        text=tr(
            "myrequests.told_volunteer",
            number=order.number,
            start=local_time(order.starts_at, timezone),
        ),
    )


def waitlist_released(
    volunteer: Recipient, order: OrderDTO, timezone: str, *, started: bool
) -> tuple[str, Outgoing]:
    """A waitlisted volunteer: the order expired, or its service started without
    needing them; their place in line is released."""
    tr = get_translator(volunteer.language)
    key = "order.told_started_waitlist" if started else "order.told_expired_waitlist"
    return f"order.waitlist_released:{order.id}:{volunteer.telegram_id}", Outgoing(
        chat_id=volunteer.telegram_id,
        text=tr(key, number=order.number, start=local_time(order.starts_at, timezone)),
    )
