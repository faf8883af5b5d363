"""What the people step tells people, as data (bot/services/kernel/notify.py; the
words: messages/people.py): a coordinator told of a new volunteer, the volunteer
told of the decision, someone told they were appointed or removed, and the digest of
what waited while someone could not be reached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.kernel.dto import CoordinatorDTO, Recipient, VolunteerDTO
from bot.services.kernel.notify import ToPerson, stamp


@dataclass(frozen=True)
class VolunteerPending:
    """A coordinator asked to approve or decline a new volunteer."""

    to: Recipient
    volunteer: VolunteerDTO
    at: datetime

    @property
    def key(self) -> str:
        return f"volunteer.pending:{self.volunteer.user_id}:{stamp(self.at)}:{self.to.telegram_id}"


@dataclass(frozen=True)
class VolunteerDecided(ToPerson):
    volunteer: VolunteerDTO
    approved: bool
    at: datetime

    PERSON = "volunteer"

    @property
    def key(self) -> str:
        return f"volunteer.decided:{self.volunteer.user_id}:{stamp(self.at)}"


@dataclass(frozen=True)
class CoordinatorAppointed(ToPerson):
    coordinator: CoordinatorDTO
    event_id: int

    PERSON = "coordinator"

    @property
    def key(self) -> str:
        return f"coordinator.appointed:{self.coordinator.user_id}:{self.event_id}"


@dataclass(frozen=True)
class CoordinatorRemoved(CoordinatorAppointed):
    """The fields of :class:`CoordinatorAppointed`; its own key and words."""

    @property
    def key(self) -> str:
        return f"coordinator.removed:{self.coordinator.user_id}:{self.event_id}"


@dataclass(frozen=True)
class WhileAway:
    """To someone the bot could not reach, when they write to it again (or for the
    first time): what waits in their queues, how many held notices went out of date,
    how many follow (bot/services/people/held.py). Sent before what it announces."""

    to: Recipient
    user_id: int
    at: datetime
    never_opened: bool
    to_review: int
    to_approve: int
    out_of_date: int
    following: int

    @property
    def key(self) -> str:
        return f"held.digest:{self.user_id}:{stamp(self.at)}"
