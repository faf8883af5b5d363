"""Texts built from DTOs, shared by handlers (replies) and services (notices that go
through the outbox); every value is escaped by the translator."""

from __future__ import annotations

from bot.i18n import Markup, Translator
from bot.services.dto import TeamDTO, UnitDTO, VolunteerDTO


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
