"""Messages to people other than the one acting — a coordinator told of a new
volunteer, a volunteer told of the decision, someone told they were appointed. They go
through the outbox, written in the transaction of the change that caused them, each
under a key that names the event (so the same event is never announced twice)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import callback_data
from bot.i18n import get_translator
from bot.rendering import volunteer_card
from bot.services.dto import ClaimDTO, CoordinatorDTO, OrderDTO, Recipient, VolunteerDTO
from bot.services.scheduling import PRIORITY_BROADCAST, Button, Outgoing


def _stamp(at: datetime) -> str:
    return str(int(at.timestamp() * 1000))


def volunteer_pending(
    coordinator: Recipient, volunteer: VolunteerDTO, at: datetime
) -> tuple[str, Outgoing]:
    tr = get_translator(coordinator.language)
    key = f"volunteer.pending:{volunteer.user_id}:{_stamp(at)}:{coordinator.telegram_id}"
    text = tr("approval.new", card=volunteer_card(tr, volunteer, with_status=False))
    buttons = (
        (
            Button(
                tr.plain("button.approve"),
                callback_data=callback_data.encode(
                    callback_data.DECIDE_VOLUNTEER, volunteer.user_id, 1
                ),
            ),
            Button(
                tr.plain("button.decline"),
                callback_data=callback_data.encode(
                    callback_data.DECIDE_VOLUNTEER, volunteer.user_id, 0
                ),
            ),
        ),
    )
    return key, Outgoing(chat_id=coordinator.telegram_id, text=text, buttons=buttons)


def volunteer_decided(
    volunteer: VolunteerDTO, approved: bool, at: datetime
) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    message = "volunteer.told_approved" if approved else "volunteer.told_declined"
    key = f"volunteer.decided:{volunteer.user_id}:{_stamp(at)}"
    return key, Outgoing(
        chat_id=volunteer.telegram_id,
        user_id=volunteer.user_id,
        text=tr(message, name=volunteer.real_name),
    )


def coordinator_appointed(coordinator: CoordinatorDTO, event_id: int) -> tuple[str, Outgoing]:
    tr = get_translator(coordinator.language)
    key = f"coordinator.appointed:{coordinator.user_id}:{event_id}"
    return key, Outgoing(
        chat_id=coordinator.telegram_id,
        user_id=coordinator.user_id,
        text=tr("appoint.told", unit=coordinator.unit.name(tr.language)),
    )


def coordinator_removed(coordinator: CoordinatorDTO, event_id: int) -> tuple[str, Outgoing]:
    tr = get_translator(coordinator.language)
    key = f"coordinator.removed:{coordinator.user_id}:{event_id}"
    return key, Outgoing(
        chat_id=coordinator.telegram_id,
        user_id=coordinator.user_id,
        text=tr("coord.told_removed", unit=coordinator.unit.name(tr.language)),
    )


# ---- orders: the requester is told of every change; a waitlisted volunteer of an offer


def local_time(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def order_published(requester: Recipient, order: OrderDTO, timezone: str) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.published:{order.id}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr(
            "order.told_published",
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
    return f"order.filled:{order.id}:{_stamp(at)}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr("order.told_filled", number=order.number, places=order.places),
    )


def order_volunteer_cancelled(
    requester: Recipient, order: OrderDTO, claim_id: int, at: datetime
) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.volunteer_cancelled:{claim_id}:{_stamp(at)}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr("order.told_volunteer_cancelled", number=order.number),
    )


def place_offered(volunteer: Recipient, claim: ClaimDTO, timezone: str) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    assert claim.offered_at is not None and claim.offer_expires_at is not None
    buttons = (
        (
            Button(
                tr.plain("button.accept_offer"),
                callback_data=callback_data.encode(callback_data.ACCEPT_OFFER, claim.id),
            ),
            Button(
                tr.plain("button.decline_offer"),
                callback_data=callback_data.encode(callback_data.DECLINE_OFFER, claim.id),
            ),
        ),
    )
    return f"claim.offered:{claim.id}:{_stamp(claim.offered_at)}", Outgoing(
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


def order_announced(
    volunteer: Recipient,
    volunteer_id: int,
    order: OrderDTO,
    category: str,
    community: str,
    timezone: str,
) -> tuple[str, Outgoing]:
    """A published order, to a volunteer who may grab it: no address, no phone."""
    tr = get_translator(volunteer.language)
    button = Button(
        tr.plain("grab.button_grab"),
        callback_data=callback_data.encode(callback_data.GRAB, order.id),
    )
    return f"publish:{order.id}:{volunteer_id}", Outgoing(
        chat_id=volunteer.telegram_id,
        user_id=volunteer_id,
        text=tr(
            "grab.announced",
            number=order.number,
            category=category,
            start=local_time(order.starts_at, timezone),
            end=local_time(order.ends_at, timezone),
            community=community,
            places=order.places,
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
