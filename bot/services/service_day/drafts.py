"""The drafts of a coordinator's correction of minutes and of a check-in's location."""

from __future__ import annotations

from typing import Annotated

from bot.services.kernel.drafts import Draft, checked
from bot.services.service_day.records import check_minutes


class CorrectionDraft(Draft):
    claim: int | None = None
    order: int | None = None
    name: str | None = None  # the volunteer's, as shown
    number: str | None = None  # the order's
    minutes: int = 0  # as recorded
    new_minutes: Annotated[int | None, checked(check_minutes)] = None


class LocationDraft(Draft):
    claim: int | None = None
