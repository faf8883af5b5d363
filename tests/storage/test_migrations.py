"""Migrations upgrade an empty database on both back ends, and match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage.base import Base
from storage.database import create_engine
from storage.migrate import current_revision, head_revision, upgrade
from tests.support.database import (
    drop_postgres_database,
    fresh_postgres_database,
    postgres_url_or_skip,
)


async def _upgrade_and_compare(url: str) -> None:
    engine = create_engine(url)
    try:
        assert await current_revision(engine) is None
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        await upgrade(engine)  # a second run is a no-op
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
        assert set(Base.metadata.tables) <= tables
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        await engine.dispose()


async def test_sqlite_empty_database_upgrades_to_head(tmp_path: Path) -> None:
    await _upgrade_and_compare(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")


def test_postgresql_empty_database_upgrades_to_head() -> None:
    import asyncio

    admin = postgres_url_or_skip()
    url, name = fresh_postgres_database(admin)
    try:
        asyncio.run(_upgrade_and_compare(url))
    finally:
        drop_postgres_database(admin, name)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_sqlite_pragmas_are_set(tmp_path: Path, backend: str) -> None:
    from sqlalchemy import text

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}", busy_timeout_ms=1234)
    try:
        async with engine.connect() as conn:
            mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
            timeout = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
            fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
        assert (mode, timeout, fks) == ("wal", 1234, 1)
    finally:
        await engine.dispose()


async def test_flow_housekeeping_moves_out_of_the_draft(tmp_path: Path) -> None:
    """0011: a draft saved before keeps the user's place: its ``_history`` / ``_return``
    keys become the row's own columns, the answers stay in ``data``."""
    import json

    from sqlalchemy import text

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(engine, "0010")
        old = {"name": "王芳", "_history": ["name", "phone"], "_return": "confirm"}
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO users (id, telegram_id, first_name, created_at, updated_at)"
                    " VALUES (1, 1001, 'W', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO flow_states (user_id, flow, step, nonce, data, updated_at)"
                    " VALUES (1, 'volunteer', 'street', 7, :data, '2026-01-01 00:00:00')"
                ),
                {"data": json.dumps(old)},
            )
        await upgrade(engine)
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text("SELECT data, history, return_to, return_until FROM flow_states")
                )
            ).one()
        assert json.loads(row[0]) == {"name": "王芳"}
        assert json.loads(row[1]) == ["name", "phone"]
        assert (row[2], row[3]) == ("confirm", None)
    finally:
        await engine.dispose()
