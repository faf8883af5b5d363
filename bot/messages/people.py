"""Words about people: a volunteer's card (their phone, home, teams), and the notices
of the people step (bot/services/people/notices.py) — a coordinator told of a new
volunteer, the volunteer told of the decision, someone told they were appointed or
removed, the digest of what waited while someone could not be reached."""

from __future__ import annotations

from bot import callback_data
from bot.i18n import Markup, Translator
from bot.messages.common import Builder, press_button
from bot.services.kernel.dto import TeamDTO, UnitDTO, VolunteerDTO
from bot.services.kernel.scheduling import PRIORITY_FIRST, Outgoing
from bot.services.people.notices import (
    CoordinatorAppointed,
    CoordinatorRemoved,
    VolunteerDecided,
    VolunteerPending,
    WhileAway,
)

# ---- a volunteer's card -----------------------------------------------------------


def teams_text(tr: Translator, teams: tuple[TeamDTO, ...] | list[TeamDTO]) -> str:
    if not teams:
        return tr.plain("profile.no_teams")
    return tr.plain("list.separator").join(t.name(tr.language) for t in teams)


def home_text(tr: Translator, community: UnitDTO, grid: UnitDTO | None) -> str:
    """Where a volunteer lives: their community, and grid if any."""
    name = community.name(tr.language)
    return f"{name} · {grid.name(tr.language)}" if grid else name


def phone_text(tr: Translator, phone: str, verified: bool) -> Markup:
    """A volunteer's phone, and whether Telegram verified it or it was typed."""
    return tr("phone.verified" if verified else "phone.unverified", phone=phone)


def volunteer_card(tr: Translator, v: VolunteerDTO, *, with_status: bool = True) -> Markup:
    card = tr(
        "volunteer.card",
        name=v.real_name,
        phone=phone_text(tr, v.phone, v.phone_verified),
        place=home_text(tr, v.community, v.grid),
        teams=teams_text(tr, v.teams),
    )
    if with_status:
        card = Markup(card + "\n" + tr("volunteer.status", status=tr.plain(f"status.{v.status}")))
    return card


# ---- notices ----------------------------------------------------------------------


def volunteer_pending(n: VolunteerPending, tr: Translator, timezone: str) -> Outgoing:
    volunteer = n.volunteer
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
    return Outgoing(chat_id=n.to.telegram_id, text=text, buttons=buttons)


def volunteer_decided(n: VolunteerDecided, tr: Translator, timezone: str) -> Outgoing:
    volunteer = n.volunteer
    if n.approved:  # and what to do now
        text = Markup(
            tr("volunteer.told_approved", name=volunteer.real_name)
            + "\n"
            + tr("volunteer.next_steps")
        )
    else:
        text = tr("volunteer.told_declined", name=volunteer.real_name)
    return Outgoing(chat_id=volunteer.telegram_id, user_id=volunteer.user_id, text=text)


def coordinator_told(n: CoordinatorAppointed, text: Markup) -> Outgoing:
    """A coordinator told ``text`` of their appointment (or its end)."""
    return Outgoing(chat_id=n.to.telegram_id, user_id=n.coordinator.user_id, text=text)


def coordinator_appointed(n: CoordinatorAppointed, tr: Translator, timezone: str) -> Outgoing:
    return coordinator_told(n, tr("appoint.told", unit=n.coordinator.unit.name(tr.language)))


def coordinator_removed(n: CoordinatorRemoved, tr: Translator, timezone: str) -> Outgoing:
    return coordinator_told(n, tr("coord.told_removed", unit=n.coordinator.unit.name(tr.language)))


def while_away(n: WhileAway, tr: Translator, timezone: str) -> Outgoing:
    """What waits for them in their queues (the commands in it open the queues), how
    many of the notices held for them went out of date, how many follow."""
    lines = [tr("held.digest_first" if n.never_opened else "held.digest_back")]
    for key, count in (
        ("held.digest_review", n.to_review),
        ("held.digest_approval", n.to_approve),
        ("held.digest_stale", n.out_of_date),
        ("held.digest_following", n.following),
    ):
        if count:
            lines.append(tr(key, count=count))
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=n.user_id,
        text=Markup("\n".join(lines)),
        priority=PRIORITY_FIRST,
    )


BUILDERS: dict[type, Builder] = {
    VolunteerPending: volunteer_pending,
    VolunteerDecided: volunteer_decided,
    CoordinatorAppointed: coordinator_appointed,
    CoordinatorRemoved: coordinator_removed,
    WhileAway: while_away,
}
