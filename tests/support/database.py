"""Databases for tests: SQLite and the real PostgreSQL named by TEST_POSTGRES_URL.

``db`` is parametrized over both back ends. PostgreSQL is skipped only when no URL is
given; under CI (CI=true) a missing URL is an error, never a silent skip.

Each back end is migrated once per session with the project's Alembic scripts: SQLite
into a template file copied for every test, PostgreSQL into a fresh database whose
tables are truncated before every test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.base import Base
from storage.database import Database, create_engine
from storage.migrate import upgrade
from tests.support.stopping import stop_within

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"]


def postgres_url_or_skip() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    if os.environ.get("CI"):
        pytest.fail("CI must set TEST_POSTGRES_URL (see .ci/run)")
    pytest.skip("TEST_POSTGRES_URL is not set")


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _create_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def _drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


def fresh_postgres_database(admin_url: str) -> tuple[str, str]:
    """Create an empty database beside ``admin_url``'s; returns (url, name)."""
    name = f"vb_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_database(admin_url, name))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return url, name


def drop_postgres_database(admin_url: str, name: str) -> None:
    asyncio.run(_drop_database(admin_url, name))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str]:
    url = postgres_url_or_skip()
    test_url, name = fresh_postgres_database(url)
    asyncio.run(_migrate(test_url))
    yield test_url
    drop_postgres_database(url, name)


def sqlite_url(template: Path, directory: Path) -> str:
    path = directory / "volunteer-bot.db"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


async def truncate_all(database: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with database.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database URL for this test (param: sqlite | postgresql)."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        return sqlite_url(request.getfixturevalue("sqlite_template"), tmp_path)
    return str(request.getfixturevalue("postgres_migrated"))


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(db_url)
    if database.dialect == "postgresql":
        await truncate_all(database)
    yield database
    await stop_within(database.dispose(), "the database pool")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests that use ``db`` (or ``db_url``) run on both back ends unless they pin one
    with ``@pytest.mark.backends("sqlite")``."""
    if "db_url" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    backends = list(marker.args) if marker else BACKENDS
    metafunc.parametrize("db_url", backends, indirect=True)
