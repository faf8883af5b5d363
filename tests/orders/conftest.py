"""Orders and claims on a migrated database (SQLite and PostgreSQL), example org loaded."""

from __future__ import annotations

import pytest

from bot.services import Services
from storage.database import Database
from tests.services.support import FakeClock, Org, build_services, load_org


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services(db: Database, clock: FakeClock) -> Services:
    return build_services(db, clock)


@pytest.fixture
async def org(services: Services) -> Org:
    return await load_org(services)
