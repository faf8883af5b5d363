"""A broadcast's words checked as Telegram will parse them, while composing: so what
the coordinator wrote either goes to every recipient as they saw it in the preview, or
is refused now with the reason — never refused by Telegram 123,000 times later."""

from __future__ import annotations

import re

from bot.services.kernel.errors import InvalidValue
from telegram_html import HtmlError, parse_html, utf16_len

MAX_TEXT = 4096  # a message's text, after entity parsing (UTF-16 code units)
MAX_CAPTION = 1024  # a photo's caption


def check_text(html: str, with_photo: bool) -> str:
    """``html`` (Telegram HTML: the coordinator's formatting, or tags they typed) if
    Telegram would send it — as a photo's caption when ``with_photo``; InvalidValue of
    ``broadcast_text``: ``empty``, ``html`` (with Telegram's reason, ``why``), ``too_long``
    (with ``length`` and ``limit``)."""
    html = html.strip()
    try:
        plain, _ = parse_html(html)
    except HtmlError as error:
        near = _near(html, str(error))
        if near is None:
            raise InvalidValue("broadcast_text", "html", why=str(error)) from None
        raise InvalidValue("broadcast_text", "html_near", why=str(error), near=near) from None
    if not plain.strip():
        raise InvalidValue("broadcast_text", "empty")
    limit = MAX_CAPTION if with_photo else MAX_TEXT
    length = utf16_len(plain)
    if length > limit:
        raise InvalidValue("broadcast_text", "too_long", length=length, limit=limit)
    return html


def _near(html: str, reason: str, width: int = 12) -> str | None:
    """The words around the place Telegram's reason names ("… at byte offset 17"),
    so that the coordinator finds it: ``width`` characters either side."""
    found = re.search(r"byte offset (\d+)", reason)
    if found is None:
        return None
    index = len(html.encode("utf-8")[: int(found[1])].decode("utf-8", "ignore"))
    start, end = max(0, index - width), min(len(html), index + width)
    return ("…" if start else "") + html[start:end] + ("…" if end < len(html) else "")


def fits(html: str, more: str, with_photo: bool) -> bool:
    """Whether ``more`` (plain words), added on a line of its own, keeps ``html``
    within Telegram's limit (a caption's when ``with_photo``)."""
    limit = MAX_CAPTION if with_photo else MAX_TEXT
    return utf16_len(plain_text(html)) + 2 + utf16_len(more) <= limit


def plain_text(html: str) -> str:
    """The words as a reader sees them, without their formatting."""
    try:
        plain, _ = parse_html(html)
    except HtmlError:
        return html
    return plain


def first_line(html: str, width: int = 40) -> str:
    """The broadcast's first line as plain text, for lists (``…`` past ``width``)."""
    try:
        plain, _ = parse_html(html)
    except HtmlError:
        plain = html
    line = next((part.strip() for part in plain.splitlines() if part.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"
