"""Who a campaign is for, as a description of a query (stored with the campaign, read a
keyset page at a time when its recipients are written), not as a list of people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
    ``unit_path`` (its grids' volunteers are its community's) — the audience of an
    order's announcement (in its team, when it has one) and of a broadcast, which may
    narrow it: in any of ``team_ids``, with at least ``min_hours`` verified hours, seen
    by the bot since ``seen_since`` (active in the last N days, counted from when it
    was composed), and without those who muted its ``category``."""

    unit_path: str
    team_ids: tuple[int, ...] = ()
    min_hours: int | None = None
    seen_since: datetime | None = None
    category: str | None = None

    def stored(self) -> dict[str, Any]:
        return {
            "kind": VOLUNTEERS,
            "unit_path": self.unit_path,
            "team_ids": list(self.team_ids),
            "min_hours": self.min_hours,
            "seen_since": self.seen_since.isoformat() if self.seen_since else None,
            "category": self.category,
        }

    def filter(self) -> campaigns_repo.Filter:
        return campaigns_repo.Filter(
            self.unit_path,
            self.team_ids,
            self.min_hours * 60 if self.min_hours else None,
            self.seen_since,
            self.category,
        )

    async def count(self, session: AsyncSession) -> int:
        return await campaigns_repo.members_count(session, self.filter())

    async def page(
        self, session: AsyncSession, after: int, limit: int, default_language: str
    ) -> list[Member]:
        """The next ``limit`` members after user id ``after``, by user id."""
        readers = await campaigns_repo.members_page(session, self.filter(), after, limit)
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


Audience = Volunteers


def audience_of(stored: dict[str, Any]) -> Audience:
    """A campaign's audience as it was stored (an announcement stored before broadcasts
    has one ``team_id``)."""
    if stored.get("kind") != VOLUNTEERS:
        raise ValueError(f"unknown audience {stored!r}")
    teams = [int(t) for t in stored.get("team_ids") or ()]
    if stored.get("team_id") is not None:
        teams.append(int(stored["team_id"]))
    seen = stored.get("seen_since")
    hours = stored.get("min_hours")
    return Volunteers(
        str(stored["unit_path"]),
        tuple(teams),
        int(hours) if hours else None,
        datetime.fromisoformat(seen) if seen else None,
        stored.get("category"),
    )
