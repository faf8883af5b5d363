"""What a broadcast tells: the coordinator's words, to each volunteer of its audience."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.services.broadcasts.views import Progress
from bot.services.kernel.dto import Recipient


@dataclass(frozen=True)
class BroadcastSent:
    """One recipient's copy of broadcast ``broadcast_id`` (its words and photo as the
    coordinator composed them; a button under it mutes ``category``)."""

    SAME_WORDS: ClassVar[bool] = True  # worded once per language for a page

    to: Recipient
    volunteer_id: int
    broadcast_id: int
    text: str  # Telegram HTML, checked when composed
    photo: str | None
    category: str
    order_id: int | None = None  # the activity it carries: a Grab button for its places
    places: int = 0
    full: bool = False  # its places were all taken when this copy was made: the waitlist

    @property
    def key(self) -> str:
        return f"broadcast:{self.broadcast_id}:{self.volunteer_id}"


@dataclass(frozen=True)
class BroadcastProgressed:
    """The coordinator's progress message (``message_id``) shows ``progress`` now: an
    edit, keyed by what it shows, so an unchanged progress is not edited again."""

    to: Recipient
    progress: Progress
    message_id: int

    @property
    def key(self) -> str:
        b, f = self.progress.broadcast, self.progress.figures
        # what the message shows (the copies written is not: no edit that changes nothing)
        shown = (b.state, f.delivered, f.unreachable, f.failed, b.taken, b.claims_moved)
        return f"broadcast.progress:{b.id}:" + ":".join(str(x) for x in shown)


@dataclass(frozen=True)
class BroadcastPosted:
    """Broadcast ``broadcast_id`` posted in its unit's group or channel too."""

    to: Recipient
    broadcast_id: int
    text: str
    photo: str | None

    @property
    def key(self) -> str:
        return f"broadcast.channel:{self.broadcast_id}"
