"""/broadcast's answers so far (handlers/broadcasts/compose.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from bot.services.kernel.drafts import Draft, checked
from bot.services.kernel.errors import InvalidValue
from bot.services.people.drafts import TeamsAnswer
from bot.services.requests.drafts import OrderAnswers
from bot.services.requests.publish import check_places
from storage.enums import BroadcastCategory


def _hours(value: int) -> int:
    if not 0 <= value <= 100_000:
        raise InvalidValue("min_hours", "range")
    return value


class BroadcastDraft(OrderAnswers, TeamsAnswer, Draft):
    """The words (HTML, checked: bot/services/broadcasts/text.py), an optional photo
    (a Telegram file id), the category, and the audience: a unit at or below the
    coordinator's (``unit_id``; None until chosen), teams (any of them), at least
    ``min_hours`` verified hours, seen in the last ``active_days``; and, with
    ``places``, an activity created with it whose places are grabbed from its message."""

    text: str | None = None
    photo: str | None = None
    kind: BroadcastCategory | None = None  # the broadcast's category (what volunteers mute)
    unit_id: int | None = None
    browse_id: int | None = None  # the unit whose children the unit question shows
    min_hours: Annotated[int | None, checked(_hours)] = None
    active_days: int | None = Field(default=None, ge=1, le=3650)
    send_at: datetime | None = None  # None: now
    to_channel: bool = False  # also posted in the unit's group or channel
    channel_offered: bool = False  # the chosen unit has one
    unit_kind: str | None = None  # the chosen unit's (an activity: a street's or a community's)
    # an activity with places grabbed from the broadcast's message (None: none); its
    # questions are a request's (OrderAnswers: community, kind, day, window, place, phone)
    places: Annotated[int | None, checked(check_places)] = None
