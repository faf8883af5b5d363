"""The base of every flow's draft: a pydantic model of the answers given so far.

Fields are typed (datetimes as datetime, ids as int, an answer not given yet ``None``)
and each value is checked by the same function the service checks it with (names by
``clean_name``, phones by ``normalize_phone`` …), on assignment as on loading, so the
handler and the service cannot disagree. Stored as JSON (``dump``) in the flow's row;
an answer not given is left out, so the row holds what was answered. Keys that are
not a field are ignored (a row from another version keeps what still fits); a stored
draft whose values no longer validate is dropped by the flow engine, kindly.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.validation import clean_name, normalize_phone

T = TypeVar("T")


class Draft(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def needed(value: T | None, field: str) -> T:
    """An answer the flow's last step needs: InvalidValue when it was never given."""
    if value is None:
        raise InvalidValue(field, "empty")
    return value


class NameAnswer(Draft):
    name: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else clean_name(value)


class PhoneAnswer(Draft):
    phone: str | None = None
    phone_verified: bool = False

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else normalize_phone(value)
