"""UserService.touch under a burst: the touches made at the same time share one read
and one write (a group commit), and each still returns what its own row now says."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.container import Services
from bot.services.people.users import TelegramIdentity, UserService
from storage.database import Database
from storage.models import User
from tests.support.services import FakeClock, recorded_writes, sent_statements, verb


async def test_a_burst_of_touches_is_one_read_and_one_write(
    services: Services, db: Database, clock: FakeClock
) -> None:
    people = [TelegramIdentity(7000 + i, f"P{i}", language_code="zh-hans") for i in range(40)]
    first = await asyncio.gather(*(services.users.touch(p) for p in people))
    clock.advance(minutes=11)  # every "last seen" is stale now
    renamed = TelegramIdentity(7000, "Renamed", language_code="en")
    burst = [renamed, *people[1:]]

    with (
        recorded_writes(db) as writes,
        sent_statements(
            db, lambda s: s.statement if verb(s.statement) == "SELECT" else None
        ) as statements,
    ):
        again = await asyncio.gather(*(services.users.touch(p) for p in burst))
        await services.users.flush()  # the 39 "last seen" alone are written behind

    assert [u.id for u in again] == [u.id for u in first]
    assert len(statements) == 1  # one read for the forty
    # one UPDATE per set of changed columns: last seen for 39, names too for one
    assert len(writes) == 2 and all(w.lstrip().upper().startswith("UPDATE") for w in writes)
    assert (again[0].first_name, again[0].language) == ("Renamed", "en")
    async with db.read() as session:
        rows = {u.telegram_id: u for u in await session.scalars(select(User))}
    assert all(rows[p.telegram_id].last_seen_at == clock.now() for p in burst)
    assert (rows[7000].first_name, rows[7000].telegram_language) == ("Renamed", "en")
    assert rows[7001].first_name == "P1"


async def test_touches_within_the_resolution_write_nothing(
    services: Services, db: Database, clock: FakeClock
) -> None:
    people = [TelegramIdentity(8000 + i, f"Q{i}") for i in range(10)]
    await asyncio.gather(*(services.users.touch(p) for p in people))
    clock.advance(minutes=5)
    with recorded_writes(db) as writes:
        await asyncio.gather(*(services.users.touch(p) for p in people))
    assert writes == []


async def test_last_seen_waits_for_the_burst_to_end(db: Database, clock: FakeClock) -> None:
    """Written behind, "last seen" waits until no touch came for a while (here a quiet
    hour that never comes): the storm's claims keep the database to themselves."""
    users = UserService(db, clock, "zh_CN", seen_quiet=3600, seen_max_wait=3600)
    people = [TelegramIdentity(9000 + i, f"S{i}") for i in range(10)]
    await asyncio.gather(*(users.touch(p) for p in people))
    clock.advance(minutes=11)
    with recorded_writes(db) as writes:
        again = await asyncio.gather(*(users.touch(p) for p in people))
        for _ in range(20):
            await asyncio.sleep(0)  # the loop turns; nothing is written yet
        assert writes == []
        await users.flush()
    assert len(writes) == 1  # one UPDATE for the ten
    assert [u.first_name for u in again] == [p.first_name for p in people]
    async with db.read() as session:
        seen = await session.scalars(
            select(User.last_seen_at).where(User.telegram_id.in_([p.telegram_id for p in people]))
        )
        assert set(seen) == {clock.now()}


async def test_a_write_that_waits_keeps_the_newer_last_seen(db: Database, clock: FakeClock) -> None:
    """A "last seen" waiting for the burst to end is dropped when a later touch of the
    same person writes (a new name): it must not overwrite the newer time."""
    users = UserService(db, clock, "zh_CN", seen_quiet=3600, seen_max_wait=3600)
    person = TelegramIdentity(9100, "T")
    await users.touch(person)
    clock.advance(minutes=11)
    await users.touch(person)  # stale: "last seen" waits
    clock.advance(seconds=5)
    await users.touch(TelegramIdentity(9100, "T renamed"))  # written at once
    await users.flush()
    async with db.read() as session:
        row = (await session.scalars(select(User).where(User.telegram_id == 9100))).one()
    assert (row.first_name, row.last_seen_at) == ("T renamed", clock.now())
