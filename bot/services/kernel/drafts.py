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

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict

from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.validation import clean_name, free_text, normalize_phone

T = TypeVar("T")


def checked(check: Callable[[Any], Any]) -> AfterValidator:
    """A draft field's validator (``Annotated[int | None, checked(check_cost)]``): the
    value as ``check`` returns it — the service's own check, raising InvalidValue; an
    answer not given (None) stays None."""
    return AfterValidator(lambda value: None if value is None else check(value))


def typed_text(field: str, maximum: int) -> AfterValidator:
    """A draft field's validator for words typed in one's own: :func:`free_text`
    (InvalidValue of ``field`` beyond ``maximum`` characters)."""
    return checked(lambda value: free_text(value, field, maximum))


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
    name: Annotated[str | None, checked(clean_name)] = None


class PhoneAnswer(Draft):
    phone: Annotated[str | None, checked(normalize_phone)] = None
    phone_verified: bool = False
