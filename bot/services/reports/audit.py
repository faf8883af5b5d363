"""The audit log's reader (the coordinator's desk): every coordinator action is written
to it (who, what, which unit, the details); ``/audit`` and ``volunteer-bot audit`` read
it back — a coordinator the entries of their unit and below (an administrator's, at the
top of the tree, also those of no unit: the command line's), newest first, paged,
filtered by kind (an action's first part: broadcast, order, points …) or by person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services.kernel.dto import Page, UnitDTO, UserDTO
from bot.services.kernel.paging import fetch_page
from bot.services.kernel.scope import require_coordinator
from bot.services.org.units import unit_dto
from storage.database import Database
from storage.repositories import audit as audit_repo
from storage.repositories import users as users_repo

PAGE = 10


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    actor: str  # the actor's name, or the label of a non-person ("cli", "config")
    action: str
    unit: UnitDTO | None
    target: str  # "kind #id", or ""
    detail: dict[str, Any]


class AuditService:
    def __init__(self, db: Database, timezone: str) -> None:
        self.db = db
        self.timezone = timezone  # of the times shown

    @staticmethod
    def _scope(actor: UserDTO) -> tuple[str, bool]:
        unit = require_coordinator(actor)
        return unit.path, unit.parent_id is None  # the top: entries of no unit too

    async def kinds(self, actor: UserDTO) -> list[str]:
        path, unitless = self._scope(actor)
        async with self.db.read() as session:
            return await audit_repo.families(session, path, unitless)

    async def page(
        self,
        actor: UserDTO | None,
        page: int = 0,
        *,
        kind: str | None = None,
        person_telegram_id: int | None = None,
        since: datetime | None = None,
        unit: UnitDTO | None = None,
        size: int = PAGE,
    ) -> Page[Entry]:
        """A page of the entries the actor may read (None: the command line, any unit —
        ``unit``'s and below when given); ``person_telegram_id``: that person's actions."""
        path: str | None
        if actor is not None:
            path, unitless = self._scope(actor)
        else:
            path, unitless = (unit.path, False) if unit is not None else (None, True)
        async with self.db.read() as session:
            actor_id = None
            if person_telegram_id is not None:
                person = await users_repo.by_telegram_id(session, person_telegram_id)
                if person is None:
                    return Page((), 0, 1, 0)
                actor_id = person.id

            async def fetch(offset: int, limit: int) -> tuple[list[Entry], int]:
                rows, total = await audit_repo.under(
                    session,
                    path,
                    since=since,
                    actor_id=actor_id,
                    family=kind,
                    with_unitless=unitless,
                    offset=offset,
                    limit=limit,
                )
                return [_entry(e, name, u) for e, name, u in rows], total

            items, shown, pages, total = await fetch_page(fetch, page, size)
        return Page(tuple(items), shown, pages, total)


def _entry(e: Any, name: str | None, unit: Any) -> Entry:
    target = f"{e.target_kind} #{e.target_id}" if e.target_kind and e.target_id else e.target_kind
    return Entry(
        id=e.id,
        at=e.at,
        actor=name or e.actor_label or "—",
        action=e.action,
        unit=unit_dto(unit) if unit is not None else None,
        target=target or "",
        detail=dict(e.detail or {}),
    )
