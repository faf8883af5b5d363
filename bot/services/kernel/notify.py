"""The port services tell people through: a **notice as data** — whom to tell and what
happened, as DTOs and plain values, never words — handed to a :class:`Notifier`.

Each step defines its notices beside its services (``bot/services/<step>/notices.py``),
frozen dataclasses with a ``to`` (the reader: chat and language) and a ``key``: the
event's identity, the outbox's dedup key, so the same event is never announced twice
and a later change can cancel what is still queued (``offer_key`` and
``outbox_repo.cancel``). Keys are not words and stay byte-identical across wordings.

The words are built in the messages package beside this one (one builder per
notice, in the reader's language); its ``MessageNotifier`` is wired where the
services are built and enqueues through the :class:`Scheduler`, in the caller's
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import Recipient
from bot.services.kernel.scheduling import Outgoing


class Notice(Protocol):
    """Something someone must be told."""

    @property
    def to(self) -> Recipient: ...

    @property
    def key(self) -> str: ...


class ToPerson:
    """A notice to the person it is about: ``to`` is the chat and language of the DTO
    in its field named ``PERSON`` (a volunteer, a coordinator)."""

    PERSON: ClassVar[str]

    @property
    def to(self) -> Recipient:
        person = getattr(self, self.PERSON)
        return Recipient(person.telegram_id, person.language)


class Notifier(Protocol):
    def message(self, notice: Notice) -> Outgoing:
        """``notice`` in its reader's words, not queued (a campaign's pages are worded
        before their write transaction: bot/services/fanout/campaigns.py)."""
        ...

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
