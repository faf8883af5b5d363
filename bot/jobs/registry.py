"""Job kinds: what a durable job of each kind does, and what it does when it fell due
while the bot was down.

A kind is a module-level async function taking the job's context, the unit of work it
runs in (committed together with the job's "done") and its payload of ids.
``stale_after`` is the catch-up rule: a job found more than that late is dropped (and
logged) instead of run — a reminder for a service that already began makes no sense,
a rating prompt still does (None).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

JobHandler = Callable[[Any, AsyncSession, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: JobHandler
    stale_after: timedelta | None = None


class JobRegistry:
    def __init__(self) -> None:
        self._kinds: dict[str, JobKind] = {}

    def register(
        self, name: str, handler: JobHandler, stale_after: timedelta | None = None
    ) -> JobKind:
        if name in self._kinds:
            raise ValueError(f"job kind {name!r} registered twice")
        kind = JobKind(name, handler, stale_after)
        self._kinds[name] = kind
        return kind

    def kind(self, name: str) -> JobKind | None:
        return self._kinds.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._kinds

    def names(self) -> list[str]:
        return sorted(self._kinds)
