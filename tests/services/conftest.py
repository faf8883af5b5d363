"""Services on a migrated database (SQLite and PostgreSQL) with the example org loaded."""

from __future__ import annotations

import pytest

from bot.container import Services
from storage.database import Database
from tests.support.services import FakeClock, Org, build_services, load_org


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services(db: Database, clock: FakeClock) -> Services:
    """Coordinator approval of volunteers required (the default)."""
    return build_services(db, clock)


@pytest.fixture
def open_services(db: Database, clock: FakeClock) -> Services:
    """The same database with ``[volunteers] require_approval = false``."""
    return build_services(db, clock, require_approval=False)


@pytest.fixture
async def org(services: Services) -> Org:
    return await load_org(services)
