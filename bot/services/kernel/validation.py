"""Checks and normalisation of values people type."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import phonenumbers

from bot.services.kernel.errors import InvalidValue
from storage.types import ID_MAX

NAME_MAX = 50


def typed_number(text: str | None) -> int | None:
    """A whole number as people type one (an id, a count, minutes): digits only, spaces
    around them ignored, full-width digits from a Chinese IME (``１２``) as well; None for
    anything else, or a number beyond the database's 64-bit ids (it names nothing and
    could not even be looked up)."""
    value = (text or "").strip()
    if not value.isdecimal() or len(value) > len(str(ID_MAX)):
        return None
    number = int(value)
    return number if number <= ID_MAX else None


# Unicode's explicit bidirectional embeddings, overrides and isolates (LRE RLE PDF LRO
# RLO, LRI RLI FSI PDI): invisible, able to make text read in another order than it was
# typed, and pasted along unseen (Android wraps a copied number or name in LRE … PDF).
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def typed_moment(text: str, timezone: str, field: str) -> datetime:
    """``2026-12-03 14:00`` typed in ``timezone``, as an aware time (InvalidValue of
    ``field``, ``format``, otherwise)."""
    try:
        naive = datetime.strptime(" ".join(text.split()), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidValue(field, "format") from None
    return naive.replace(tzinfo=ZoneInfo(timezone))


def free_text(text: str | None, field: str, maximum: int, *, one_line: bool = False) -> str:
    """What a person types in their own words — a name, a description, an address, a
    reason, guidance — as it is kept: bidirectional controls dropped (the one rule for
    them, in every such field), trimmed (``one_line``: inner whitespace collapsed to
    single spaces), 1 … ``maximum`` characters; InvalidValue(field, "empty" |
    "too_long") otherwise."""
    value = (text or "").translate(BIDI_CONTROLS)
    value = " ".join(value.split()) if one_line else value.strip()
    if not value:
        raise InvalidValue(field, "empty")
    if len(value) > maximum:
        raise InvalidValue(field, "too_long", max=maximum, length=len(value))
    return value


def optional_text(text: str | None, field: str, maximum: int) -> str | None:
    """:func:`free_text`, or None when nothing (or nothing visible) was given."""
    if not (text or "").translate(BIDI_CONTROLS).strip():
        return None
    return free_text(text, field, maximum)


def clean_name(text: str | None) -> str:
    """A person's name: :func:`free_text` on one line, 1–50 characters, and no other
    control or invisible formatting characters (a zero-width space, a NUL). HTML in it
    is allowed (it is escaped wherever it is shown)."""
    value = free_text(text, "name", NAME_MAX, one_line=True)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in value):
        raise InvalidValue("name", "bad_chars")
    return value


def normalize_phone(text: str | None, region: str = "CN") -> str:
    """A phone number in E.164 (``+8613800138000``); mainland numbers may be typed
    without +86. Raises InvalidValue('phone', 'invalid')."""
    raw = (text or "").strip()
    if not raw or len(raw) > 32:
        raise InvalidValue("phone", "invalid")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidValue("phone", "invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("phone", "invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str) -> str:
    """``+8613800138000`` → ``+86138****8000`` for places that need no full number."""
    if len(phone) < 8:
        return "****"
    return f"{phone[:-8]}****{phone[-4:]}"
