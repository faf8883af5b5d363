"""What the messages share: their buttons, times and spans as people read them, what an
order is about, the guidance volunteers read, and the signature of a notice's builder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import callback_data
from bot.i18n import Markup, Translator, escape
from bot.services.kernel.dto import CategoryDTO, OrderDTO, UnitDTO
from bot.services.kernel.scheduling import Button, Outgoing
from bot.services.points.amounts import points

# A notice's builder: the notice, its reader's translator, the timezone times are shown in.
Builder = Callable[[Any, Translator, str], Outgoing]


def press_button(label: str, prefix: str, *ids: int) -> Button:
    """A button that presses ``prefix:ids``."""
    return Button(label, callback_data=callback_data.encode(prefix, *ids))


MAX_TEXT = 4096  # Telegram's limit on a message's text


def local_time(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


SHORT = 60  # characters of a description in a list of orders


def shortened(text: str, limit: int = SHORT) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…"."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def order_about(tr: Translator, order: OrderDTO, *, short: bool = False) -> Markup:
    """An activity's title (and its text), or what the resident asked for; ``short``:
    for lists (the title alone, or the description on one shortened line)."""
    if order.title:
        if short:
            return tr("order.about_title", title=order.title)
        return tr("order.about_activity", title=order.title, text=order.description)
    text = shortened(order.description) if short else order.description
    return tr("order.about_request", text=text)


def category_name(tr: Translator, order: OrderDTO, category: CategoryDTO | None) -> str:
    """The order's category in the reader's language (its code when it is gone)."""
    return category.name(tr.language) if category else order.category


def unit_name(tr: Translator, unit: UnitDTO | None) -> str:
    """A unit's name in the reader's language (nothing when there is none)."""
    return unit.name(tr.language) if unit else ""


def opens_later(order: OrderDTO, now: datetime) -> bool:
    """Grabbing the order opens some time after ``now``."""
    return order.opens_at is not None and order.opens_at > now


def guidance_text(tr: Translator, category: CategoryDTO | None, extra: str | None) -> Markup:
    """The guidance volunteers read once they hold a place: the category's, then the
    order's own (a general word when there is neither)."""
    notes = [category.guidance(tr.language)] if category and category.guidance_zh else []
    if extra:
        notes.append(extra)
    if not notes:
        return tr("grab.no_guidance")
    return Markup("\n\n".join(escape(note) for note in notes))


def hours(minutes: int) -> str:
    """``90`` → ``1.5`` (hours, at most two decimals)."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def duration_text(tr: Translator, hours: float) -> Markup:
    """A span of time as people say it: in whole hours ("1 hour", "2 hours") when it
    is, else in minutes ("90 minutes")."""
    minutes = round(hours * 60)
    if minutes % 60 == 0:
        return tr.ngettext("time.hours", minutes // 60, n=minutes // 60)
    return tr.ngettext("time.minutes", minutes, n=minutes)


def points_text(amount: int, *, signed: bool = False) -> str:
    """Tenths of a point as people read points: ``45`` → ``4.5``, ``30`` → ``3``; with
    ``signed``, ``+4.5`` / ``-1.5``."""
    text = str(points(amount))
    return f"+{text}" if signed and amount > 0 else text
