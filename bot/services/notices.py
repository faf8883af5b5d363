"""Messages to people other than the one acting — a coordinator told of a new
volunteer, a volunteer told of the decision, someone told they were appointed. They go
through the outbox, written in the transaction of the change that caused them, each
under a key that names the event (so the same event is never announced twice)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import callback_data
from bot.i18n import Markup, Translator, escape, get_translator
from bot.rendering import duration_text, volunteer_card
from bot.services.dto import (
    CategoryDTO,
    ClaimDTO,
    CoordinatorDTO,
    OrderDTO,
    Recipient,
    VolunteerDTO,
)
from bot.services.scheduling import (
    PRIORITY_BROADCAST,
    PRIORITY_FIRST,
    PRIORITY_REMINDER,
    Button,
    Outgoing,
)


def _press(label: str, prefix: str, *ids: int) -> Button:
    """A button that presses ``prefix:ids``."""
    return Button(label, callback_data=callback_data.encode(prefix, *ids))


MAX_TEXT = 4096  # Telegram's limit on a message's text


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
            _press(
                tr.plain("button.approve"), callback_data.DECIDE_VOLUNTEER, volunteer.user_id, 1
            ),
            _press(
                tr.plain("button.decline"), callback_data.DECIDE_VOLUNTEER, volunteer.user_id, 0
            ),
        ),
    )
    return key, Outgoing(chat_id=coordinator.telegram_id, text=text, buttons=buttons)


def volunteer_decided(
    volunteer: VolunteerDTO, approved: bool, at: datetime
) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    key = f"volunteer.decided:{volunteer.user_id}:{_stamp(at)}"
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
    them went out of date, how many follow (bot/services/held.py); the commands in it
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
    return f"held.digest:{user_id}:{_stamp(at)}", Outgoing(
        chat_id=person.telegram_id,
        user_id=user_id,
        text=Markup("\n".join(lines)),
        priority=PRIORITY_FIRST,
    )


# ---- orders: the requester is told of every change; a waitlisted volunteer of an offer


def local_time(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


# ---- what an order is about, as volunteers read it -------------------------------------

SHORT = 60  # characters of a description in a list of orders


def shortened(text: str, limit: int = SHORT) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…"."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def order_about(tr: Translator, order: OrderDTO, *, short: bool = False) -> Markup:
    """An activity's title (and its text), or what the resident asked for; ``short``:
    for lists (the title alone, or the description on one shortened line)."""
    if order.title:
        if short:
            return tr("order.about_title", title=order.title)
        return tr("order.about_activity", title=order.title, text=order.description)
    text = shortened(order.description) if short else order.description
    return tr("order.about_request", text=text)


def opens_later(order: OrderDTO, now: datetime) -> bool:
    """Grabbing the order opens some time after ``now``."""
    return order.opens_at is not None and order.opens_at > now


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
    return f"order.filled:{order.id}:{_stamp(at)}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr.ngettext(
            "order.told_filled", order.places, number=order.number, places=order.places
        ),
    )


def order_volunteer_cancelled(
    requester: Recipient, order: OrderDTO, claim_id: int, at: datetime
) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.volunteer_cancelled:{claim_id}:{_stamp(at)}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr("order.told_volunteer_cancelled", number=order.number),
    )


def offer_key(claim_id: int, offered_at: datetime) -> str:
    """The outbox key of the message offering a freed place (one per offer)."""
    return f"claim.offered:{claim_id}:{_stamp(offered_at)}"


def place_offered(volunteer: Recipient, claim: ClaimDTO, timezone: str) -> tuple[str, Outgoing]:
    """A freed place offered to a waitlisted volunteer. Its buttons carry the claim's
    version as offered: once the offer is settled they are stale (and edited away,
    :func:`offer_settled`)."""
    tr = get_translator(volunteer.language)
    assert claim.offered_at is not None and claim.offer_expires_at is not None
    ids = (claim.id, claim.version)
    buttons = (
        (
            _press(tr.plain("button.accept_offer"), callback_data.ACCEPT_OFFER, *ids),
            _press(tr.plain("button.decline_offer"), callback_data.DECLINE_OFFER, *ids),
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
    button = _press(tr.plain("grab.button_grab"), callback_data.GRAB, order.id)
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


# ---- escalation (三级阵地) and expiry: bot/services/escalation.py; review edits


def review_requested(
    coordinator: Recipient,
    order: OrderDTO,
    category: str,
    community: str,
    timezone: str,
    *,
    level: str | None = None,
    hours: float | None = None,
) -> tuple[str, Outgoing]:
    """A request waiting for review, with a button that opens it: to the community's
    coordinators when it comes in, or (``level`` street/district, ``hours`` late) to
    those above when nobody reviewed it in time."""
    tr = get_translator(coordinator.language)
    button = _press(
        tr.plain("escalation.button_review", number=order.number),
        callback_data.REVIEW_ORDER,
        order.id,
    )
    values = {
        "number": order.number,
        "category": category,
        "community": community,
        "start": local_time(order.starts_at, timezone),
    }
    if level is None:
        key, text = (
            f"order.requested:{order.id}:{coordinator.telegram_id}",
            tr("review.new_request", **values),
        )
    else:
        key = f"order.overdue:{order.id}:{level}:{coordinator.telegram_id}"
        text = tr("escalation.overdue", hours=f"{hours:g}", **values)
    return key, Outgoing(chat_id=coordinator.telegram_id, text=text, buttons=((button,),))


def order_unfilled(
    coordinator: Recipient, order: OrderDTO, community: str, widen: bool, timezone: str
) -> tuple[str, Outgoing]:
    """An open order still short of volunteers, to its coordinators; the button
    announces it to the whole street (only while it is announced to its community)."""
    tr = get_translator(coordinator.language)
    buttons: tuple[tuple[Button, ...], ...] = ()
    if widen:
        buttons = ((_press(tr.plain("escalation.button_widen"), callback_data.WIDEN, order.id),),)
    return f"order.unfilled:{order.id}:{coordinator.telegram_id}", Outgoing(
        chat_id=coordinator.telegram_id,
        text=tr(
            "escalation.unfilled",
            number=order.number,
            community=community,
            start=local_time(order.starts_at, timezone),
            taken=order.taken,
            places=order.places,
        ),
        buttons=buttons,
    )


def order_expired(requester: Recipient, order: OrderDTO, timezone: str) -> tuple[str, Outgoing]:
    """The requester: nobody reviewed (or nobody took) the request before its start."""
    tr = get_translator(requester.language)
    key = "order.told_expired_unreviewed" if order.places == 0 else "order.told_expired_unfilled"
    return f"order.expired:{order.id}", Outgoing(
        chat_id=requester.telegram_id,
        text=tr(key, number=order.number, start=local_time(order.starts_at, timezone)),
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


def order_edited(
    requester: Recipient, order: OrderDTO, fields: tuple[str, ...], at: datetime
) -> tuple[str, Outgoing]:
    """The requester: a coordinator changed these fields of their request (names only;
    the requester sees the request itself in /myrequests)."""
    tr = get_translator(requester.language)
    keys = dict.fromkeys(EDITED_FIELD_LABELS[f] for f in fields if f in EDITED_FIELD_LABELS)
    labels = tr.plain("field.separator").join(tr.plain(key) for key in keys)
    return f"order.edited:{order.id}:{_stamp(at)}", Outgoing(
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


# ---- reminders before the service, and the resident's contact hidden after it
# (bot/services/reminders.py, bot/services/contact.py)


def hours_label(hours: float) -> str:
    """``24.0`` → ``24h``, ``0.5`` → ``0.5h``: for keys."""
    return f"{hours:g}h"


def guidance_text(tr: Translator, category: CategoryDTO | None, extra: str | None) -> Markup:
    """The guidance volunteers read once they hold a place: the category's, then the
    order's own (a general word when there is neither)."""
    notes = [category.guidance(tr.language)] if category and category.guidance_zh else []
    if extra:
        notes.append(extra)
    if not notes:
        return tr("grab.no_guidance")
    return Markup("\n\n".join(escape(note) for note in notes))


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
    """What a volunteer holding a place is shown (as handlers/grab.py ``place_text``):
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
    button = _press(tr.plain("grab.button_cancel_place"), callback_data.CANCEL_PLACE, claim.id)
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


# ---- service (实践服务) and completion: bot/services/attendance.py


def hours(minutes: int) -> str:
    """``90`` → ``1.5`` (hours, at most two decimals)."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def service_started(requester: Recipient, order: OrderDTO) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    return f"order.started:{order.id}", Outgoing(
        chat_id=requester.telegram_id, text=tr("order.told_in_service", number=order.number)
    )


def no_show_volunteer(volunteer: Recipient, order: OrderDTO, claim_id: int) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    return f"claim.no_show:{claim_id}", Outgoing(
        chat_id=volunteer.telegram_id, text=tr("attendance.told_no_show", number=order.number)
    )


def no_show_coordinator(
    coordinator: Recipient, order: OrderDTO, claim_id: int, name: str, timezone: str
) -> tuple[str, Outgoing]:
    tr = get_translator(coordinator.language)
    button = _press(
        tr.plain("attendance.button_view_order", number=order.number),
        callback_data.ORDER_ATTENDANCE,
        order.id,
    )
    return f"claim.no_show:{claim_id}:{coordinator.telegram_id}", Outgoing(
        chat_id=coordinator.telegram_id,
        text=tr(
            "attendance.told_no_show_coordinator",
            number=order.number,
            name=name,
            start=local_time(order.starts_at, timezone),
        ),
        buttons=((button,),),
    )


def auto_checked_out(
    volunteer: Recipient, order: OrderDTO, claim_id: int, minutes: int
) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    return f"claim.auto_checkout:{claim_id}", Outgoing(
        chat_id=volunteer.telegram_id,
        text=tr.ngettext(
            "attendance.told_auto_checked_out",
            minutes,
            number=order.number,
            minutes=minutes,
            hours=hours(minutes),
        ),
    )


def confirm_service(requester: Recipient, order: OrderDTO) -> tuple[str, Outgoing]:
    tr = get_translator(requester.language)
    button = _press(
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


def service_completed(
    volunteer: Recipient, order: OrderDTO, claim_id: int, minutes: int
) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    return f"order.completed:{order.id}:{claim_id}", Outgoing(
        chat_id=volunteer.telegram_id,
        text=tr.ngettext(
            "attendance.told_completed",
            minutes,
            number=order.number,
            minutes=minutes,
            hours=hours(minutes),
        ),
    )


def hours_corrected(
    volunteer: Recipient, order: OrderDTO, claim_id: int, minutes: int, reason: str, event: int
) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    return f"claim.hours_corrected:{claim_id}:{event}", Outgoing(
        chat_id=volunteer.telegram_id,
        text=tr.ngettext(
            "attendance.told_corrected",
            minutes,
            number=order.number,
            minutes=minutes,
            hours=hours(minutes),
            reason=reason,
        ),
    )
