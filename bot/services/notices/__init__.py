"""Messages to people other than the one acting — a coordinator told of a new
volunteer, a volunteer told of the decision, someone told they were appointed. They go
through the outbox, written in the transaction of the change that caused them, each
under a key that names the event (so the same event is never announced twice).

The package is the interface (``notices.order_filled(…)``); its modules hold the
notices by whom they are for and what they are about."""

from __future__ import annotations

from bot.services.notices.announcements import (
    OFFER_OUTCOMES,
    offer_key,
    offer_settled,
    order_announced,
    order_cancelled_by_requester,
    place_offered,
    waitlist_released,
)
from bot.services.notices.common import (
    MAX_TEXT,
    SHORT,
    guidance_text,
    hours,
    hours_label,
    local_time,
    opens_later,
    order_about,
    press_button,
    shortened,
    stamp,
)
from bot.services.notices.people import (
    coordinator_appointed,
    coordinator_removed,
    volunteer_decided,
    volunteer_pending,
    while_away,
)
from bot.services.notices.places import (
    helpers_coming,
    place_contact,
    place_hidden,
    place_text,
    service_reminder,
)
from bot.services.notices.requester import (
    EDITED_FIELD_LABELS,
    confirm_service,
    nobody_came,
    order_completed,
    order_duplicate,
    order_edited,
    order_expired,
    order_filled,
    order_published,
    order_rejected,
    order_volunteer_cancelled,
    service_started,
)
from bot.services.notices.review import (
    order_unfilled,
    review_requested,
)
from bot.services.notices.service import (
    auto_checked_out,
    hours_corrected,
    no_show_coordinator,
    no_show_volunteer,
    service_completed,
)

__all__ = [
    "EDITED_FIELD_LABELS",
    "MAX_TEXT",
    "OFFER_OUTCOMES",
    "SHORT",
    "auto_checked_out",
    "confirm_service",
    "coordinator_appointed",
    "coordinator_removed",
    "guidance_text",
    "helpers_coming",
    "hours",
    "hours_corrected",
    "hours_label",
    "local_time",
    "no_show_coordinator",
    "no_show_volunteer",
    "nobody_came",
    "offer_key",
    "offer_settled",
    "opens_later",
    "order_about",
    "order_announced",
    "order_cancelled_by_requester",
    "order_completed",
    "order_duplicate",
    "order_edited",
    "order_expired",
    "order_filled",
    "order_published",
    "order_rejected",
    "order_unfilled",
    "order_volunteer_cancelled",
    "place_contact",
    "place_hidden",
    "place_offered",
    "place_text",
    "press_button",
    "review_requested",
    "service_completed",
    "service_reminder",
    "service_started",
    "shortened",
    "stamp",
    "volunteer_decided",
    "volunteer_pending",
    "waitlist_released",
    "while_away",
]
