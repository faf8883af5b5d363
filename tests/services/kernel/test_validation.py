"""Names and phone numbers as people type them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.validation import (
    NAME_MAX,
    clean_name,
    free_text,
    mask_phone,
    normalize_phone,
    optional_text,
    typed_number,
)

SPACED = "+86 1 3 8 0 0 1 3 8 0 0 0"  # 25 characters, valid

PHONES: list[tuple[str, str | None]] = [
    # mainland mobiles, with or without +86, spaces and dashes
    ("13800138000", "+8613800138000"),
    ("+8613800138000", "+8613800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("138-0013-8000", "+8613800138000"),
    ("  138 0013 8000  ", "+8613800138000"),
    ("0086 138 0013 8000", "+8613800138000"),
    ("(+86) 15912345678", "+8615912345678"),
    ("１３８００１３８０００", "+8613800138000"),  # full-width digits from a Chinese IME
    # landlines: Wuhan 027, Beijing 010
    ("027-84845678", "+862784845678"),
    ("02784845678", "+862784845678"),
    ("+86 27 8484 5678", "+862784845678"),
    ("010-12345678", "+861012345678"),
    # foreign numbers need their country code
    ("+1 202 555 0143", "+12025550143"),
    ("+852 9123 4567", "+85291234567"),
    ("+44 7400 123456", "+447400123456"),
    ("+49 1512 3456789", "+4915123456789"),
    # boundaries of the length check
    (SPACED + " " * 7, "+8613800138000"),  # trailing blanks are trimmed first
    ("1" + " " * 30 + "3800138000", None),  # 41 characters
    ("+86" + " " * 18 + "13800138000", "+8613800138000"),  # exactly 32 characters
    ("+86" + " " * 19 + "13800138000", None),  # 33 characters
    # not phone numbers
    ("", None),
    ("   ", None),
    ("12345", None),
    ("1380013800", None),  # one digit short
    ("138001380001", None),  # one digit too many
    ("95588", None),  # a service short code
    ("abc", None),
    ("call me maybe", None),
    ("+", None),
    ("+999 1234 5678", None),  # no such country
    ("+44 7700 900123", None),  # Ofcom's range for drama: never a real number
    ("13800138000; DROP TABLE users", None),
]


@pytest.mark.parametrize(("typed", "expected"), PHONES)
def test_normalize_phone(typed: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InvalidValue) as info:
            normalize_phone(typed)
        assert (info.value.field, info.value.reason) == ("phone", "invalid")
    else:
        assert normalize_phone(typed) == expected


def test_length_boundary_cases_are_what_they_claim() -> None:
    assert len("+86" + " " * 18 + "13800138000") == 32
    assert len("+86" + " " * 19 + "13800138000") == 33


def test_none_is_no_phone() -> None:
    with pytest.raises(InvalidValue):
        normalize_phone(None)


@given(st.text(max_size=40))
def test_normalize_phone_never_fails_unexpectedly(text: str) -> None:
    """Whatever is typed: E.164 back, or InvalidValue — never another exception."""
    try:
        result = normalize_phone(text)
    except InvalidValue as error:
        assert error.field == "phone"
    else:
        assert result.startswith("+") and result[1:].isdigit() and len(result) <= 16
        assert normalize_phone(result) == result  # idempotent


NAMES: list[tuple[str | None, str | None, str | None]] = [
    # typed, cleaned (or None), refusal reason
    ("王芳", "王芳", None),
    ("  王 芳  ", "王 芳", None),
    ("Alice\t \n Chen", "Alice Chen", None),  # inner whitespace collapsed
    ("Alice <b>&", "Alice <b>&", None),  # HTML is allowed (escaped when shown)
    ("Zoë O'Brien-Ngũgĩ", "Zoë O'Brien-Ngũgĩ", None),
    ("x" * NAME_MAX, "x" * NAME_MAX, None),
    ("名" * NAME_MAX, "名" * NAME_MAX, None),
    ("x" * (NAME_MAX + 1), None, "too_long"),
    ("a" + " " * 100 + "b", "a b", None),  # measured after collapsing
    ("", None, "empty"),
    (None, None, "empty"),
    (" \t\n\u3000 ", None, "empty"),  # the ideographic space is blank too
    ("Al\x00ice", None, "bad_chars"),
    ("Bob\x07", None, "bad_chars"),
    ("Bob\x7f", None, "bad_chars"),
    ("王\u200b芳", None, "bad_chars"),  # zero-width space
    ("Bob\u202eevil", "Bobevil", None),  # bidi controls are dropped, as everywhere
    ("\u202a王芳\u202c", "王芳", None),  # as Android pastes a copied name
    ("\u2066 \u2069", None, "empty"),  # nothing visible left
    ("Bob\u200eevil", None, "bad_chars"),  # other invisible formatting is refused
    ("Bob\ue000", None, "bad_chars"),  # private use
]


@pytest.mark.parametrize(("typed", "cleaned", "reason"), NAMES)
def test_clean_name(typed: str | None, cleaned: str | None, reason: str | None) -> None:
    if reason is None:
        assert clean_name(typed) == cleaned
    else:
        with pytest.raises(InvalidValue) as info:
            clean_name(typed)
        assert (info.value.field, info.value.reason) == ("name", reason)


def test_too_long_name_reports_the_lengths() -> None:
    with pytest.raises(InvalidValue) as info:
        clean_name("x" * 77)
    assert info.value.values == {"max": NAME_MAX, "length": 77}


@given(st.text(max_size=80))
def test_clean_name_is_idempotent(text: str) -> None:
    try:
        cleaned = clean_name(text)
    except InvalidValue as error:
        assert error.field == "name"
        return
    assert clean_name(cleaned) == cleaned
    assert 1 <= len(cleaned) <= NAME_MAX and cleaned == cleaned.strip()


BIDI_CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_free_text_drops_each_bidi_control(control: str) -> None:
    """One rule for every free-text field (issue 12, item 17): the nine embeddings,
    overrides and isolates are dropped; nothing else is touched."""
    typed = f" 陪{control}老人\n聊天{control} "
    assert free_text(typed, "description", 100) == "陪老人\n聊天"
    assert optional_text(typed, "address", 100) == "陪老人\n聊天"
    assert clean_name(f"{control}王芳{control}") == "王芳"


def test_free_text_measures_what_is_kept() -> None:
    assert free_text("\u202e" * 50 + "x" * 10, "reason", 10) == "x" * 10
    with pytest.raises(InvalidValue) as info:
        free_text("\u2066\u2069 \n", "reason", 10)
    assert (info.value.field, info.value.reason) == ("reason", "empty")
    with pytest.raises(InvalidValue) as info:
        free_text("x" * 11, "reason", 10)
    assert info.value.values == {"max": 10, "length": 11}
    assert optional_text("\u202a\u202c", "address", 10) is None
    assert optional_text(None, "address", 10) is None


@given(st.text(max_size=60))
def test_free_text_never_keeps_a_bidi_control(text: str) -> None:
    try:
        kept = free_text(text, "description", 40)
    except InvalidValue as error:
        assert error.field == "description" and error.reason in ("empty", "too_long")
        return
    assert not set(kept) & set(BIDI_CONTROLS) and kept == kept.strip()
    assert free_text(kept, "description", 40) == kept


TYPED_NUMBERS: list[tuple[str | None, int | None]] = [
    ("42", 42),
    (" 7 ", 7),
    ("１２", 12),  # full-width digits from a Chinese IME
    ("0", 0),
    (str(2**63 - 1), 2**63 - 1),  # the largest 64-bit id
    (str(2**63), None),  # no row can have it: not looked up at all
    ("99999999999999999999", None),
    ("0" * 30 + "1", None),
    ("²", None),  # a digit to str.isdigit, not a number to int()
    ("-1", None),
    ("+1", None),
    ("1_000", None),
    ("1e3", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("typed", "number"), TYPED_NUMBERS)
def test_typed_number(typed: str | None, number: int | None) -> None:
    assert typed_number(typed) == number


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("+8613800138000", "+86138****8000"), ("+12025550143", "+120****0143"), ("+1234", "****")],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked
