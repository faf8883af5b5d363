"""Texts built from DTOs, shared by handlers (replies) and services (notices that go
through the outbox); every value is escaped by the translator."""

from __future__ import annotations

from bot.i18n import Markup, Translator
from bot.services.kernel.dto import TeamDTO, UnitDTO, VolunteerDTO


def duration_text(tr: Translator, hours: float) -> Markup:
    """A span of time as people say it: in whole hours ("1 hour", "2 hours") when it
    is, else in minutes ("90 minutes")."""
    minutes = round(hours * 60)
    if minutes % 60 == 0:
        return tr.ngettext("time.hours", minutes // 60, n=minutes // 60)
    return tr.ngettext("time.minutes", minutes, n=minutes)


def teams_text(tr: Translator, teams: tuple[TeamDTO, ...] | list[TeamDTO]) -> str:
    if not teams:
        return tr.plain("profile.no_teams")
    return tr.plain("list.separator").join(t.name(tr.language) for t in teams)


def place_text(tr: Translator, community: UnitDTO, grid: UnitDTO | None) -> str:
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
        place=place_text(tr, v.community, v.grid),
        teams=teams_text(tr, v.teams),
    )
    if with_status:
        card = Markup(card + "\n" + tr("volunteer.status", status=tr.plain(f"status.{v.status}")))
    return card
