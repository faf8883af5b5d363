"""Checks and normalisation of values people type."""

from __future__ import annotations

import unicodedata

import phonenumbers

from bot.services.errors import InvalidValue

NAME_MAX = 50


def clean_name(text: str | None) -> str:
    """A person's name: trimmed, inner whitespace collapsed, 1–50 characters, no control
    characters. HTML in it is allowed (it is escaped wherever it is shown)."""
    value = " ".join((text or "").split())
    if not value:
        raise InvalidValue("name", "empty")
    if len(value) > NAME_MAX:
        raise InvalidValue("name", "too_long", max=NAME_MAX, length=len(value))
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
