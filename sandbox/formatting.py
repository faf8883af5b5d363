"""Text + parse_mode → the plain text and entities Telegram stores, with its length checks."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from telegram_html import HtmlError, parse_html, utf16_len

MARKDOWN_V2_SPECIAL = set("_*[]()~`>#+-=|{}.!\\")
MARKDOWN_SPECIAL = set("_*`[")


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does, moving and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    moved = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return stripped, moved


def parse_formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Apply ``parse_mode`` (or explicit ``entities``) to ``text``; raise 400 on bad markup."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("text must be encoded in UTF-8") from None
    if entities is not None:
        return _strip(text, sorted(entities, key=lambda e: (e["offset"], -e["length"])))
    mode = (parse_mode or "").lower()
    if mode == "":
        return _strip(text, [])
    if mode == "html":
        try:
            plain, found = parse_html(text)
        except HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        return _strip(plain, found)
    if mode in ("markdownv2", "markdown"):
        special = MARKDOWN_V2_SPECIAL if mode == "markdownv2" else MARKDOWN_SPECIAL
        if any(ch in special for ch in text):
            raise bad_request(
                f"parse_mode {parse_mode} is not supported by the sandbox beyond plain text; "
                "use HTML"
            )
        return _strip(text, [])
    raise bad_request("unsupported parse_mode")


def check_text_length(text: str, low: int, high: int, *, caption: bool = False) -> None:
    size = utf16_len(text)
    if not caption and size < max(low, 1):
        raise bad_request("message text is empty")
    if size > high:
        raise bad_request("message caption is too long" if caption else "message is too long")
