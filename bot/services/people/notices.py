"""What the people step tells people, as data (bot/services/kernel/notify.py; the
words: messages/people.py): a coordinator told of a new volunteer, the volunteer
told of the decision, someone told they were appointed or removed, and the digest of
what waited while someone could not be reached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.kernel.dto import CoordinatorDTO, Recipient, VolunteerDTO
from bot.services.kernel.notify import Keyed, ToPerson


@dataclass(frozen=True)
class VolunteerPending(Keyed):
    """A coordinator asked to approve or decline a new volunteer."""

    to: Recipient
    volunteer: VolunteerDTO
    at: datetime

    KEY = "volunteer.pending:{volunteer.user_id}:{at:stamp}:{to.telegram_id}"


@dataclass(frozen=True)
class VolunteerDecided(ToPerson):
    volunteer: VolunteerDTO
    approved: bool
    at: datetime

    PERSON = "volunteer"
    KEY = "volunteer.decided:{volunteer.user_id}:{at:stamp}"


@dataclass(frozen=True)
class CoordinatorAppointed(ToPerson):
    coordinator: CoordinatorDTO
    event_id: int

    PERSON = "coordinator"
    KEY = "coordinator.appointed:{coordinator.user_id}:{event_id}"


@dataclass(frozen=True)
class CoordinatorRemoved(CoordinatorAppointed):
    """Same fields as :class:`CoordinatorAppointed`, its own key and words."""

    KEY = "coordinator.removed:{coordinator.user_id}:{event_id}"


@dataclass(frozen=True)
class WhileAway(Keyed):
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

    KEY = "held.digest:{user_id}:{at:stamp}"
