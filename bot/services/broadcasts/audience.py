"""Who a campaign is for, as a description of a query (stored with the campaign, read a
keyset page at a time when its recipients are written), not as a list of people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import Recipient
from bot.services.kernel.languages import language_from_telegram
from storage.repositories import campaigns as campaigns_repo

VOLUNTEERS = "volunteers"


@dataclass(frozen=True)
class Member:
    """One recipient: their user id (the keyset, and the notice's key) and how to reach
    them."""

    user_id: int
    to: Recipient


@dataclass(frozen=True)
class Volunteers:
    """The approved volunteers whose community lies at or below the unit at
    ``unit_path`` (its grids' volunteers are its community's), in ``team_id`` when one
    is given: the audience of an order's announcement."""

    unit_path: str
    team_id: int | None = None

    def stored(self) -> dict[str, Any]:
        return {"kind": VOLUNTEERS, "unit_path": self.unit_path, "team_id": self.team_id}

    async def page(
        self, session: AsyncSession, after: int, limit: int, default_language: str
    ) -> list[Member]:
        """The next ``limit`` members after user id ``after``, by user id."""
        readers = await campaigns_repo.volunteers_page(
            session, self.unit_path, self.team_id, after, limit
        )
        return [
            Member(
                r.user_id,
                Recipient(
                    r.telegram_id,
                    r.language or language_from_telegram(r.telegram_language, default_language),
                ),
            )
            for r in readers
        ]


Audience = Volunteers  # more kinds come with /broadcast (teams, hours, recently active)


def audience_of(stored: dict[str, Any]) -> Audience:
    """A campaign's audience as it was stored."""
    if stored.get("kind") != VOLUNTEERS:
        raise ValueError(f"unknown audience {stored!r}")
    team = stored.get("team_id")
    return Volunteers(str(stored["unit_path"]), None if team is None else int(team))
