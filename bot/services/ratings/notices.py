"""What the 评单 tells people, as data (bot/services/kernel/notify.py; the words:
messages/ratings.py): the requester asked (and reminded once) to rate, the prompt's
messages closed (buttons edited away) once it is done or expired, and the order's
coordinators alerted of a low rating."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.kernel.dto import Recipient
from bot.services.ratings.common import PromptView, ask_key, remind_key


@dataclass(frozen=True)
class RatingAsked:
    """The requester: rate the volunteers who served (``reminder``: once more)."""

    to: Recipient
    view: PromptView
    reminder: bool = False

    @property
    def key(self) -> str:
        return remind_key(self.view.id) if self.reminder else ask_key(self.view.id)


@dataclass(frozen=True)
class RatingClosed:
    """An edit of the prompt's message ``message_id`` (sent under ``sent_key``): no
    buttons any more, the stars given (and why: done, or expired)."""

    to: Recipient
    view: PromptView
    sent_key: str
    message_id: int
    expired: bool

    @property
    def key(self) -> str:
        return f"rating.closed:{self.sent_key}"


@dataclass(frozen=True)
class LowRating:
    """A coordinator of the order: volunteers rated at or below the alert level."""

    to: Recipient
    view: PromptView
    low: tuple[tuple[str, int], ...]  # (name, stars); the team: every name, one stars

    @property
    def key(self) -> str:
        return f"rating.alert:{self.view.id}:{self.to.telegram_id}"
