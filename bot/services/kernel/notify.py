"""The port services tell people through: a **notice as data** — whom to tell and what
happened, as DTOs and plain values, never words — handed to a :class:`Notifier`.

Each step defines its notices beside its services (``bot/services/<step>/notices.py``),
frozen dataclasses with a ``to`` (the reader: chat and language) and a ``key``: the
event's identity, the outbox's dedup key, so the same event is never announced twice
and a later change can cancel what is still queued (``offer_key`` and
``outbox_repo.cancel``). Keys are not words and stay byte-identical across wordings;
most are a template of the notice's fields (:class:`Keyed`).

The words are built in the messages package beside this one (one builder per
notice, in the reader's language); its ``MessageNotifier`` is wired where the
services are built and enqueues through the :class:`Scheduler`, in the caller's
transaction."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import Recipient


class Notice(Protocol):
    """Something someone must be told."""

    @property
    def to(self) -> Recipient: ...

    @property
    def key(self) -> str: ...


class Keyed:
    """A notice whose key is its class's ``KEY`` filled in from its fields, as
    ``str.format`` does: ``KEY = "order.filled:{order.id}:{at:stamp}"``; ``:stamp`` puts
    a time as :func:`stamp` does, ``:hours`` a span as :func:`hours_label`. A notice
    whose key is more than that defines ``key`` itself."""

    KEY: ClassVar[str]

    @property
    def key(self) -> str:
        return _KEYS.vformat(self.KEY, (self,), {})


class ToPerson(Keyed):
    """A notice to the person it is about (``person``: a DTO with their chat and
    language), keyed as :class:`Keyed` is."""

    PERSON: ClassVar[str]  # the field holding that person

    @property
    def to(self) -> Recipient:
        person = getattr(self, self.PERSON)
        return Recipient(person.telegram_id, person.language)


class _KeyFormatter(string.Formatter):
    """Fills a key's fields from the notice (the one positional argument)."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        return getattr(args[0], str(key))

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "stamp":
            return stamp(value)
        if format_spec == "hours":
            return hours_label(value)
        return super().format_field(value, format_spec)


_KEYS = _KeyFormatter()


class Notifier(Protocol):
    async def notify(
        self, session: AsyncSession, notice: Notice, at: datetime | None = None
    ) -> bool:
        """Queue ``notice`` (now, or at ``at``) in the caller's transaction; False when
        its key was queued before."""
        ...

    async def notify_many(self, session: AsyncSession, notices: Sequence[Notice]) -> None:
        """Queue each of ``notices`` now, in one go (an order's 200 volunteers told)."""
        ...


def stamp(at: datetime) -> str:
    """An event's time in its key: milliseconds since the epoch."""
    return str(int(at.timestamp() * 1000))


def hours_label(hours: float) -> str:
    """``24.0`` → ``24h``, ``0.5`` → ``0.5h``: for keys."""
    return f"{hours:g}h"
