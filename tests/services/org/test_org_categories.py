"""OrgService caches the categories: read once, read again after the org import or
once ``category_ttl`` has passed (an import by another process) — then in the
background, the cached ones answering meanwhile."""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.services.org.units import OrgService
from storage.database import Database
from storage.models import Category
from tests.support.services import sent_statements

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "orgs.example.toml"


def category_reads(db: Database) -> AbstractContextManager[list[str]]:
    """The SELECTs of the categories table run meanwhile."""
    return sent_statements(db, lambda s: s.statement if "FROM categories" in s.statement else None)


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_categories_are_cached_until_an_import_or_the_ttl(db: Database) -> None:
    ticks = Ticks()
    service = OrgService(db, category_ttl=60, monotonic=ticks)
    await service.import_file(EXAMPLE)
    with category_reads(db) as selects:
        first = await service.category("elderly_visit")
        assert first is not None
        assert await service.category("elderly_visit") == first
        assert await service.category("no_such_kind") is None
        assert len(selects) == 1

        # changed behind its back (another process's import): seen after the TTL
        async with db.transaction() as session:
            await session.execute(
                update(Category).where(Category.code == "elderly_visit").values(name_en="X")
            )
        ticks.now = 59
        cached = await service.category("elderly_visit")
        assert cached is not None and cached.name_en == first.name_en
        ticks.now = 60
        # past the TTL: the cached one answers at once, the read runs in the background
        stale = await service.category("elderly_visit")
        assert stale is not None and stale.name_en == first.name_en
        assert await service.category("elderly_visit") == stale  # one read under way
        await service.load_categories()  # waits for that read, starts none
        fresh = await service.category("elderly_visit")
        assert fresh is not None and fresh.name_en == "X"
        assert len(selects) == 2

        # its own import: read again at once
        await service.import_file(EXAMPLE)
        selects.clear()
        again = await service.category("elderly_visit")
        assert again is not None and again.name_en == first.name_en
        assert len(selects) == 1


async def test_many_asking_at_once_on_a_cold_cache_share_one_read(db: Database) -> None:
    await OrgService(db).import_file(EXAMPLE)
    service = OrgService(db)  # cold
    with category_reads(db) as selects:
        found = await asyncio.gather(*(service.category("elderly_visit") for _ in range(20)))
    assert len(selects) == 1
    assert {c.code for c in found if c is not None} == {"elderly_visit"} and None not in found


async def test_a_failed_background_read_keeps_the_cached_ones(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    ticks = Ticks()
    service = OrgService(db, category_ttl=60, monotonic=ticks)
    await service.import_file(EXAMPLE)
    await service.load_categories()
    ticks.now = 61
    broken = RuntimeError("database away")

    async def fail() -> tuple[()]:
        raise broken

    service._load_categories = fail  # type: ignore[method-assign]
    cached = await service.category("elderly_visit")
    assert cached is not None
    with pytest.raises(RuntimeError):
        await service.load_categories()
    assert "could not read the categories" in caplog.text
    assert await service.category("elderly_visit") == cached
