"""Helpers for service (and handler) tests: a fixed clock, the example org, people."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import event, func, select

from bot import app
from bot.config import Config, load_config
from bot.container import Services
from bot.services.kernel.dto import TeamDTO, UnitDTO, UserDTO
from bot.services.people.users import TelegramIdentity
from bot.services.people.volunteers import VolunteerForm
from storage.database import Database
from storage.models import AuditEntry, OutboxMessage

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
ORG_FILE = ROOT / "orgs.example.toml"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

COMMUNITY = "longyang.longhudongan"  # street longyang, grids grid1..grid3
OTHER_COMMUNITY = "yongfeng.longmo"  # street yongfeng, no grids
STREET = "longyang"
OTHER_STREET = "yongfeng"
DISTRICT = "hanyang"


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


def make_config(*, require_approval: bool = True, default_language: str = "zh_CN") -> Config:
    return load_config(
        environ={},
        overrides={
            "volunteers": {"require_approval": require_approval},
            "general": {"default_language": default_language},
        },
    )


def build_services(
    db: Database,
    clock: FakeClock,
    *,
    require_approval: bool = True,
    default_language: str = "zh_CN",
) -> Services:
    config = make_config(require_approval=require_approval, default_language=default_language)
    return app.build_services(config, db, clock)


@dataclass
class Org:
    """The example org as loaded: units by code and the seven teams."""

    units: dict[str, UnitDTO]
    teams: list[TeamDTO]

    def __getitem__(self, code: str) -> UnitDTO:
        return self.units[code]

    def grid(self, n: int, community: str = COMMUNITY) -> UnitDTO:
        return self.units[f"{community}.grid{n}"]


async def load_org(services: Services) -> Org:
    await services.org.import_file(ORG_FILE)
    units: dict[str, UnitDTO] = {}
    pending = list(await services.org.roots())
    while pending:
        unit = pending.pop()
        units[unit.code] = unit
        pending.extend(await services.org.children(unit.id))
    return Org(units, await services.org.teams())


async def person(
    services: Services,
    telegram_id: int,
    first_name: str = "",
    *,
    language_code: str | None = "zh-hans",
    username: str | None = None,
) -> UserDTO:
    """Someone who has started the bot."""
    return await services.users.touch(
        TelegramIdentity(
            telegram_id=telegram_id,
            first_name=first_name or f"User{telegram_id}",
            username=username,
            language_code=language_code,
        )
    )


async def coordinator(services: Services, telegram_id: int, unit_code: str) -> UserDTO:
    """A coordinator bound to ``unit_code`` (as the CLI would), returned as seen by handlers."""
    await person(services, telegram_id, f"Coord{telegram_id}")
    await services.coordinators.add_admin(telegram_id, unit_code, label="test")
    return await services.users.get(telegram_id)


def form(org: Org, **changes: Any) -> VolunteerForm:
    values: dict[str, Any] = {
        "real_name": "  王  芳 ",
        "phone": "138 0013 8000",
        "community_id": org[COMMUNITY].id,
        "grid_id": org.grid(1).id,
        "team_ids": (org.teams[0].id, org.teams[2].id),
        "consent": True,
    }
    values.update(changes)
    return VolunteerForm(**values)


async def audit_rows(db: Database, action: str | None = None) -> list[AuditEntry]:
    async with db.read() as session:
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        if action is not None:
            stmt = stmt.where(AuditEntry.action == action)
        return list(await session.scalars(stmt))


async def queued(db: Database, key_prefix: str) -> list[OutboxMessage]:
    """The outbox rows whose key starts with ``key_prefix``, in the order written."""
    async with db.read() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(key_prefix))
        return list(await session.scalars(stmt.order_by(OutboxMessage.id)))


async def count(db: Database, model: Any) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


class Sent(NamedTuple):
    """A statement sent to the database, with its parameters and SQLAlchemy's execution
    context (``context.cache_hit`` says whether it had to be compiled)."""

    statement: str
    parameters: Any
    context: Any


@contextmanager
def sent_statements(db: Database, pick: Callable[[Sent], T | None]) -> Iterator[list[T]]:
    """What ``pick`` makes of each statement sent to the database inside the block
    (those it returns None for are left out)."""
    picked: list[T] = []

    def listener(_c: Any, _cur: Any, statement: str, params: Any, context: Any, _m: Any) -> None:
        value = pick(Sent(statement, params, context))
        if value is not None:
            picked.append(value)

    event.listen(db.engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield picked
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", listener)


def verb(statement: str) -> str:
    """The statement's first word, in upper case ("" for an empty one)."""
    return statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""


def recorded_writes(db: Database) -> AbstractContextManager[list[str]]:
    """The INSERT/UPDATE/DELETE statements sent to the database inside the block."""
    return sent_statements(
        db, lambda s: s.statement if verb(s.statement) in ("INSERT", "UPDATE", "DELETE") else None
    )
