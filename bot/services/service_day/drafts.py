"""The drafts of a coordinator's correction of minutes and of a check-in's location."""

from __future__ import annotations

from pydantic import field_validator

from bot.services.kernel.drafts import Draft
from bot.services.service_day.records import check_minutes


class CorrectionDraft(Draft):
    claim: int | None = None
    order: int | None = None
    name: str | None = None  # the volunteer's, as shown
    number: str | None = None  # the order's
    minutes: int = 0  # as recorded
    new_minutes: int | None = None

    @field_validator("new_minutes")
    @classmethod
    def _minutes(cls, value: int | None) -> int | None:
        return None if value is None else check_minutes(value)


class LocationDraft(Draft):
    claim: int | None = None
