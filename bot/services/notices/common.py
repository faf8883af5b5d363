"""What the notices share: their buttons, event stamps, times as people read them,
and what an order is about."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import callback_data
from bot.i18n import Markup, Translator, escape
from bot.services.kernel.dto import CategoryDTO, OrderDTO
from bot.services.kernel.scheduling import Button


def press_button(label: str, prefix: str, *ids: int) -> Button:
    """A button that presses ``prefix:ids``."""
    return Button(label, callback_data=callback_data.encode(prefix, *ids))


MAX_TEXT = 4096  # Telegram's limit on a message's text


def stamp(at: datetime) -> str:
    return str(int(at.timestamp() * 1000))


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


def opens_later(order: OrderDTO, now: datetime) -> bool:
    """Grabbing the order opens some time after ``now``."""
    return order.opens_at is not None and order.opens_at > now


def hours_label(hours: float) -> str:
    """``24.0`` → ``24h``, ``0.5`` → ``0.5h``: for keys."""
    return f"{hours:g}h"


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
