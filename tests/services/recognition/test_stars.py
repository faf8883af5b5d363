"""Star levels (星级志愿者), on SQLite and PostgreSQL: reaching a level with an order's
completion is announced to the volunteer and the coordinators of their community, once;
a correction that takes hours away lowers the level shown, and reaching it again is not
announced again; a higher level reached by a correction is; checking again (a retried
job, a restart, a second process at once) announces nothing more."""

from __future__ import annotations

import asyncio

from bot.container import Services
from bot.services.recognition.stars import level_for
from storage.database import Database
from tests.support.points import completed, served
from tests.support.services import FakeClock, Org, build_services, queued

STARS = (2, 5)  # hours: ★ at 2 h, ★★ at 5 h (the default is 100, 300, 600 …)


async def star_notices(db: Database) -> list[str]:
    return sorted(r.dedup_key for r in await queued(db, "stars"))


def test_the_level_counts_the_thresholds_reached() -> None:
    default = (100, 300, 600, 1000, 1500)
    assert [level_for(h * 60, default) for h in (0, 99, 100, 299, 300, 1500, 9999)] == [
        0,
        0,
        1,
        1,
        2,
        5,
        5,
    ]


async def test_a_level_is_announced_once_whatever_corrections_do(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    services.stars.star_hours = STARS
    boss, _, [volunteer], [claim] = await completed(db, services, org, clock, 1, hours=3)
    keys = await star_notices(db)
    assert keys == sorted(  # the volunteer, and their community's coordinator
        [f"stars:{volunteer.id}:1", f"stars.coordinator:{volunteer.id}:1:{boss.telegram_id}"]
    )
    standing = await services.stars.standing(volunteer.id)
    assert (standing.level, standing.minutes, standing.next_hours) == (1, 180, 5)

    await services.attendance.correct_hours(boss, claim, 60, "记录有误")  # 1 h: no star
    assert (await services.stars.standing(volunteer.id)).level == 0
    await services.attendance.correct_hours(boss, claim, 150, "核对后")  # ★ again
    assert (await services.stars.standing(volunteer.id)).level == 1
    assert await star_notices(db) == keys  # not announced again

    await services.attendance.correct_hours(boss, claim, 330, "多服务了")  # ★★
    assert f"stars:{volunteer.id}:2" in await star_notices(db)
    standing = await services.stars.standing(volunteer.id)
    assert (standing.level, standing.next_hours) == (2, None)

    # a retried completion, a restart, two processes checking at once: nothing more
    before = await star_notices(db)
    again = build_services(db, clock)
    again.stars.star_hours = STARS

    async def check(s: Services) -> int:
        async with db.transaction() as session:
            return await s.stars.check(session, [volunteer.id])

    assert await asyncio.gather(check(services), check(again)) == [0, 0]
    assert await star_notices(db) == before


async def test_only_those_who_reach_a_level_are_told(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    services.stars.star_hours = STARS
    boss, order, people, _ = await served(db, services, org, clock, 2, hours=1)
    await services.attendance.confirm_completion(boss, order.id)
    assert await star_notices(db) == []  # 1 h each: below ★
    for person in people:
        standing = await services.stars.standing(person.id)
        assert (standing.level, standing.minutes, standing.next_hours) == (0, 60, 2)
