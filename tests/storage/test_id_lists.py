"""``among``: ``column IN (values)`` as one bound parameter, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import insert, select

from storage.database import Database
from storage.models import User
from storage.repositories.id_lists import among
from tests.support.services import sent_statements, verb


async def _users(db: Database, n: int) -> None:
    async with db.transaction() as session:
        await session.execute(
            insert(User),
            [
                {"telegram_id": 5_000_000_000 + i, "first_name": f"名字 {i}", "language": "zh_CN"}
                for i in range(n)
            ],
        )


async def test_many_values_are_one_parameter_and_one_statement(db: Database) -> None:
    await _users(db, 1200)
    # more than any one IN list took before (500), big ids (BIGINT), a repeat, a stranger
    wanted = [5_000_000_000 + i for i in range(0, 1200, 2)] + [5_000_000_000, 42]
    with sent_statements(
        db, lambda s: s.parameters if verb(s.statement) == "SELECT" else None
    ) as parameters:
        async with db.read() as session:
            found = list(
                await session.scalars(
                    select(User.telegram_id).where(among(session, User.telegram_id, wanted))
                )
            )
    assert sorted(found) == sorted(set(wanted) - {42})
    assert len(parameters) == 1 and len(parameters[0]) == 1  # type: ignore[arg-type]


async def test_strings_and_no_values(db: Database) -> None:
    await _users(db, 3)
    async with db.read() as session:
        names = list(
            await session.scalars(
                select(User.first_name).where(
                    among(session, User.first_name, ["名字 1", "名字 2", "nobody's"])
                )
            )
        )
        none = list(await session.scalars(select(User.id).where(among(session, User.id, []))))
    assert sorted(names) == ["名字 1", "名字 2"]
    assert none == []
