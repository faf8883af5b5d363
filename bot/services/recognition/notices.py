"""What recognition tells people, as data (bot/services/kernel/notify.py; the words:
bot/messages/recognition.py): a volunteer reached a star level; their coordinators told
of it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.kernel.dto import Recipient, UnitDTO


@dataclass(frozen=True)
class StarReached:
    """The volunteer reached star level ``level`` (their hours: ``minutes``)."""

    to: Recipient
    volunteer_id: int
    level: int
    hours: int  # the level's threshold
    minutes: int

    @property
    def key(self) -> str:
        return f"stars:{self.volunteer_id}:{self.level}"


@dataclass(frozen=True)
class VolunteerStarReached:
    """A coordinator told that a volunteer of their unit reached ``level``."""

    to: Recipient
    volunteer_id: int
    name: str
    community: UnitDTO
    level: int
    hours: int

    @property
    def key(self) -> str:
        return f"stars.coordinator:{self.volunteer_id}:{self.level}:{self.to.telegram_id}"
