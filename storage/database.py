"""Engine and unit of work.

One unit of work per update or job: ``async with db.transaction() as session`` commits
at the end of the block and rolls back on any error; repositories add and flush, never
commit.

SQLite is set up for concurrent writers: WAL, ``busy_timeout``, foreign keys on, and
``BEGIN IMMEDIATE`` for every write transaction (the driver's own deferred BEGIN is
switched off), so two writers queue on the lock instead of failing with "database is
locked" when a reader upgrades. Read-only units (``db.read()``) use a deferred BEGIN.

Within the process, SQLite write transactions also queue on an ``asyncio.Lock`` before
their BEGIN IMMEDIATE: the busy handler waits for the lock by sleeping and polling
(1, 2, 5 … 100 ms), so twenty writers at once would spend most of their time asleep
while the lock is free; in the lock's queue they take turns at once, in order.
``busy_timeout`` still covers writers in other processes (the CLI, a migration).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_READONLY = "volunteer_bot_readonly"


def _sqlite_file(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_engine(
    url: str, *, echo: bool = False, busy_timeout_ms: int = 10_000, pool_size: int = 10
) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = _sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": busy_timeout_ms / 1000},
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # let SQLAlchemy, not the driver, emit BEGIN (see _on_begin)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(_READONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The engine and the session factories; built once by the composition root."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(
            engine.execution_options(**{_READONLY: True}), expire_on_commit=False
        )
        # SQLite: one writer at a time in this process (see the module's docstring);
        # one lock per event loop (tests and the CLI may run several loops in turn)
        self._serialise_writes = engine.dialect.name == "sqlite"
        self._write_locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(create_engine(url, **kwargs))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _write_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._write_locks.get(loop)
        if lock is None:
            for other in [k for k in self._write_locks if k.is_closed()]:
                del self._write_locks[other]
            lock = self._write_locks[loop] = asyncio.Lock()
        return lock

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write unit of work: commit on success, roll back on error."""
        if not self._serialise_writes:
            async with self._sessions() as session, session.begin():
                yield session
            return
        async with self._write_lock(), self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work (no write lock on SQLite)."""
        async with self._read_sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
