"""Notices about people: a coordinator told of a new volunteer, the volunteer told of
the decision, someone told they were appointed or removed, and the digest of what
waited while someone could not be reached."""

from __future__ import annotations

from datetime import datetime

from bot import callback_data
from bot.i18n import Markup, get_translator
from bot.rendering import volunteer_card
from bot.services.kernel.dto import CoordinatorDTO, Recipient, VolunteerDTO
from bot.services.kernel.scheduling import PRIORITY_FIRST, Outgoing
from bot.services.notices.common import press_button, stamp


def volunteer_pending(
    coordinator: Recipient, volunteer: VolunteerDTO, at: datetime
) -> tuple[str, Outgoing]:
    tr = get_translator(coordinator.language)
    key = f"volunteer.pending:{volunteer.user_id}:{stamp(at)}:{coordinator.telegram_id}"
    text = tr("approval.new", card=volunteer_card(tr, volunteer, with_status=False))
    buttons = (
        (
            press_button(
                tr.plain("button.approve"), callback_data.DECIDE_VOLUNTEER, volunteer.user_id, 1
            ),
            press_button(
                tr.plain("button.decline"), callback_data.DECIDE_VOLUNTEER, volunteer.user_id, 0
            ),
        ),
    )
    return key, Outgoing(chat_id=coordinator.telegram_id, text=text, buttons=buttons)


def volunteer_decided(
    volunteer: VolunteerDTO, approved: bool, at: datetime
) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    key = f"volunteer.decided:{volunteer.user_id}:{stamp(at)}"
    if approved:  # and what to do now
        text = Markup(
            tr("volunteer.told_approved", name=volunteer.real_name)
            + "\n"
            + tr("volunteer.next_steps")
        )
    else:
        text = tr("volunteer.told_declined", name=volunteer.real_name)
    return key, Outgoing(chat_id=volunteer.telegram_id, user_id=volunteer.user_id, text=text)


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


def while_away(
    person: Recipient,
    user_id: int,
    at: datetime,
    *,
    never_opened: bool,
    to_review: int,
    to_approve: int,
    out_of_date: int,
    following: int,
) -> tuple[str, Outgoing]:
    """To someone the bot could not reach, when they write to it again (or for the
    first time): what waits for them in their queues, how many of the notices held for
    them went out of date, how many follow (bot/services/people/held.py); the commands in it
    open the queues. Sent before the messages it announces."""
    tr = get_translator(person.language)
    lines = [tr("held.digest_first" if never_opened else "held.digest_back")]
    for key, count in (
        ("held.digest_review", to_review),
        ("held.digest_approval", to_approve),
        ("held.digest_stale", out_of_date),
        ("held.digest_following", following),
    ):
        if count:
            lines.append(tr(key, count=count))
    return f"held.digest:{user_id}:{stamp(at)}", Outgoing(
        chat_id=person.telegram_id,
        user_id=user_id,
        text=Markup("\n".join(lines)),
        priority=PRIORITY_FIRST,
    )
