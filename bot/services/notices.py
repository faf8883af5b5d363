"""Messages to people other than the one acting — a coordinator told of a new
volunteer, a volunteer told of the decision, someone told they were appointed. They go
through the outbox, written in the transaction of the change that caused them, each
under a key that names the event (so the same event is never announced twice)."""

from __future__ import annotations

from datetime import datetime

from bot import callback_data
from bot.i18n import get_translator
from bot.rendering import volunteer_card
from bot.services.dto import CoordinatorDTO, Recipient, VolunteerDTO
from bot.services.scheduling import Button, Outgoing


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
