"""The small interface services use for anything that is not a direct reply:
``enqueue`` a message (now or later), ``schedule`` durable work, ``cancel`` either.

Everything is written in the caller's transaction, so a message or a job exists exactly
when the change that caused it was committed. Keys are deterministic
(``reminder:{claim}:24h``, ``publish:{order}:{volunteer}``): enqueueing or scheduling
the same key twice has one effect.

Tests put a :class:`RecordingScheduler` in place of the :class:`DatabaseScheduler`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.clock import Clock, SystemClock
from storage.repositories import jobs as jobs_repo
from storage.repositories import outbox as outbox_repo

Kind = Literal["text", "photo", "document", "edit"]  # edit: editMessageText of a sent one

PRIORITY_FIRST = -1  # before anything else to that person (a digest of what follows)
PRIORITY_NOTICE = 0  # a message caused by someone's action (a new request, an approval)
PRIORITY_REMINDER = 5
PRIORITY_BROADCAST = 10  # bulk: waits behind everything else


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """A message as the outbox stores it: HTML text (or caption), an optional inline
    keyboard, an optional photo/document (file_id, URL or a local path).

    ``kind="edit"`` replaces the text (and the inline keyboard: none when no buttons) of
    the bot's message ``edit_message_id`` in ``chat_id`` instead of sending a new one."""

    chat_id: int
    text: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    kind: Kind = "text"
    file: str | None = None
    user_id: int | None = None
    priority: int = PRIORITY_NOTICE
    paid_broadcast: bool = False
    edit_message_id: int | None = None

    def __post_init__(self) -> None:
        if (self.kind == "edit") != (self.edit_message_id is not None):
            raise ValueError("an edit names the message it edits, and only an edit does")

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.buttons:
            data["buttons"] = [[asdict(b) for b in row] for row in self.buttons]
        if self.file is not None:
            data["file"] = self.file
        if self.edit_message_id is not None:
            data["edit_message_id"] = self.edit_message_id
        return data

    @classmethod
    def from_row(
        cls,
        chat_id: int,
        kind: str,
        payload: dict[str, Any],
        user_id: int | None,
        priority: int,
        paid_broadcast: bool,
    ) -> Outgoing:
        buttons = tuple(tuple(Button(**b) for b in row) for row in payload.get("buttons", []))
        return cls(
            chat_id=chat_id,
            text=payload.get("text", ""),
            buttons=buttons,
            kind=kind,  # type: ignore[arg-type]
            file=payload.get("file"),
            user_id=user_id,
            priority=priority,
            paid_broadcast=paid_broadcast,
            edit_message_id=payload.get("edit_message_id"),
        )


class Scheduler(Protocol):
    async def enqueue(
        self, session: AsyncSession, key: str, message: Outgoing, at: datetime | None = None
    ) -> bool: ...

    async def enqueue_many(
        self,
        session: AsyncSession,
        messages: Sequence[tuple[str, Outgoing]],
        campaign_id: int | None = None,
    ) -> None:
        """Queue each (key, message) now, in one go (a key queued before is skipped);
        ``campaign_id``: the campaign that writes them (bot/services/broadcasts/)."""
        ...

    def rows(
        self, messages: Sequence[tuple[str, Outgoing]], campaign_id: int | None = None
    ) -> list[dict[str, Any]]:
        """:meth:`enqueue_many` in two halves: the rows, built outside the transaction,"""
        ...

    async def enqueue_rows(self, session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
        """… then queued in it."""
        ...

    async def schedule(
        self, session: AsyncSession, kind: str, key: str, at: datetime, **ids: int | str
    ) -> None: ...

    async def cancel(self, session: AsyncSession, key: str) -> None: ...


class DatabaseScheduler:
    """Jobs fall due on the bot's ``clock``; messages join the outbox on the queue's own
    time, ``wall`` (the real time: see bot/delivery/outbox.py ``OutboxService``), due at
    once unless ``at`` (wall time) says later."""

    def __init__(self, clock: Clock, wall: Clock | None = None) -> None:
        self.clock = clock
        self.wall = wall or SystemClock()

    async def enqueue(
        self, session: AsyncSession, key: str, message: Outgoing, at: datetime | None = None
    ) -> bool:
        """Queue ``message`` under ``key``; False when that key was queued before."""
        [row] = self.rows([(key, message)])
        if at is not None:
            row["due_at"] = at
        return await outbox_repo.insert_ignore(session, **row)

    async def enqueue_many(
        self,
        session: AsyncSession,
        messages: Sequence[tuple[str, Outgoing]],
        campaign_id: int | None = None,
    ) -> None:
        await self.enqueue_rows(session, self.rows(messages, campaign_id))

    def rows(
        self, messages: Sequence[tuple[str, Outgoing]], campaign_id: int | None = None
    ) -> list[dict[str, Any]]:
        """The outbox rows of ``messages``, built before a write transaction takes the
        lock (a campaign's page: bot/services/fanout/campaigns.py)."""
        now = self.wall.now()
        return [
            {
                "dedup_key": key,
                "chat_id": message.chat_id,
                "user_id": message.user_id,
                "kind": message.kind,
                "payload": message.payload(),
                "priority": message.priority,
                "paid_broadcast": message.paid_broadcast,
                "due_at": now,
                "status": "queued",
                "attempts": 0,
                "created_at": now,
                "campaign_id": campaign_id,
            }
            for key, message in messages
        ]

    async def enqueue_rows(self, session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
        """Rows from :meth:`rows`, in the caller's transaction (a key queued before is
        skipped)."""
        await outbox_repo.insert_many_ignore(session, rows)

    async def schedule(
        self, session: AsyncSession, kind: str, key: str, at: datetime, **ids: int | str
    ) -> None:
        await jobs_repo.upsert(session, kind=kind, key=key, due_at=at, payload=dict(ids))

    async def cancel(self, session: AsyncSession, key: str) -> None:
        await jobs_repo.cancel(session, key)
        await outbox_repo.cancel(session, key)


@dataclass
class RecordingScheduler:
    """Stands in for the DatabaseScheduler in tests: remembers what was asked."""

    enqueued: dict[str, tuple[Outgoing, datetime | None]] = field(default_factory=dict)
    scheduled: dict[str, tuple[str, datetime, dict[str, int | str]]] = field(default_factory=dict)
    cancelled: list[str] = field(default_factory=list)

    async def enqueue(
        self, session: AsyncSession, key: str, message: Outgoing, at: datetime | None = None
    ) -> bool:
        if key in self.enqueued:
            return False
        self.enqueued[key] = (message, at)
        return True

    async def enqueue_many(
        self,
        session: AsyncSession,
        messages: Sequence[tuple[str, Outgoing]],
        campaign_id: int | None = None,
    ) -> None:
        for key, message in messages:
            await self.enqueue(session, key, message)

    def rows(
        self, messages: Sequence[tuple[str, Outgoing]], campaign_id: int | None = None
    ) -> list[dict[str, Any]]:
        return [{"key": key, "message": message} for key, message in messages]

    async def enqueue_rows(self, session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            await self.enqueue(session, row["key"], row["message"])

    async def schedule(
        self, session: AsyncSession, kind: str, key: str, at: datetime, **ids: int | str
    ) -> None:
        self.scheduled[key] = (kind, at, dict(ids))

    async def cancel(self, session: AsyncSession, key: str) -> None:
        self.cancelled.append(key)
        self.scheduled.pop(key, None)
        self.enqueued.pop(key, None)
