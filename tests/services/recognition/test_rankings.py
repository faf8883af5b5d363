"""The leaderboards (积分参赛) against a brute-force reading of random data
(hypothesis), on SQLite and PostgreSQL: every board — hours and points, this week,
month, year and all time (the clock set where Asia/Shanghai's day, week, month and
year differ from UTC's), each community, street, the district and each specialty
team — ranks exactly the approved volunteers with a figure above zero, ties sharing
a rank ("1224"); a volunteer's own place is right inside the top ten and outside it;
team totals sum the members'. And who may open which board."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from bot.services.kernel.dto import UserDTO
from bot.services.kernel.errors import NotAllowed
from bot.services.recognition.rankings import PERIODS, RankingService, mask
from storage.database import Database
from storage.enums import AccountKind, ApprovalState, ClaimState, MovementKind, OrderState
from storage.models import (
    Claim,
    Order,
    PointAccount,
    PointMovement,
    User,
    VolunteerProfile,
    VolunteerTeam,
)
from tests.support.database import truncate_all
from tests.support.services import (
    COMMUNITY,
    DISTRICT,
    OTHER_COMMUNITY,
    FakeClock,
    Org,
    build_services,
    load_org,
)

T = TypeVar("T")
ZONE = "Asia/Shanghai"
# Tuesday 1 December 2026, 02:00 in Shanghai: still Monday 30 November in UTC — the
# local week began on the 30th, the local month today, and UTC's month is November
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
COMMUNITIES = (COMMUNITY, OTHER_COMMUNITY)
# hours before NOW: inside the local day/week/month, across the boundaries, last year
OFFSETS = st.sampled_from([0.5, 1.9, 2.1, 20, 25.9, 26.1, 30, 24 * 8, 24 * 40, 24 * 340, 24 * 400])


@dataclass(frozen=True)
class Person:
    community: int  # index into COMMUNITIES
    teams: frozenset[int]  # indexes into the org's teams
    approved: bool


@dataclass(frozen=True)
class Service:
    person: int
    minutes: int
    hours_ago: float
    done: bool  # a place that served, on an order that completed
    points: int  # tenths booked with it (earn); a negative one is an adjustment down


people = st.lists(
    st.builds(
        Person,
        st.integers(0, 1),
        st.frozensets(st.integers(0, 2), max_size=2),
        st.sampled_from([True, True, True, False]),  # approved (a pending one is not ranked)
    ),
    min_size=1,
    max_size=14,
)


def services_of(n: int) -> st.SearchStrategy[list[Service]]:
    return st.lists(
        st.builds(
            Service,
            st.integers(0, n - 1),
            st.sampled_from([30, 60, 60, 90, 120, 150]),  # ties are likely
            OFFSETS,
            st.sampled_from([True, True, False]),  # served and completed, or not yet
            st.sampled_from([30, 60, -15, 90]),
        ),
        max_size=30,
    )


def run(runner: asyncio.Runner, coro: Coroutine[Any, Any, T]) -> T:
    return runner.run(coro)


async def fill(db: Database, org: Org, crowd: list[Person], done: list[Service]) -> list[int]:
    """The people (user ids, in order) and their services, inserted as rows."""
    ids = itertools.count(7_100_000)
    teams = [t.id for t in org.teams]
    async with db.transaction() as session:
        uids = []
        for p in crowd:
            community = org[COMMUNITIES[p.community]].id
            uid = (
                await session.execute(
                    insert(User).returning(User.id),
                    {"telegram_id": next(ids), "first_name": "V", "community_id": community},
                )
            ).scalar_one()
            uids.append(uid)
            status = ApprovalState.APPROVED if p.approved else ApprovalState.PENDING
            session.add(
                VolunteerProfile(
                    user_id=uid,
                    real_name=f"志愿者{uid}",
                    phone="+8613900139000",
                    community_id=community,
                    consent_at=NOW,
                    status=status.value,
                )
            )
            for t in p.teams:
                session.add(VolunteerTeam(user_id=uid, team_id=teams[t]))
        issuing = PointAccount(key="issuing", kind=AccountKind.ISSUING.value)
        session.add(issuing)
        await session.flush()
        accounts: dict[int, PointAccount] = {}
        for n, s in enumerate(done):
            uid = uids[s.person]
            at = NOW - timedelta(hours=s.hours_ago)
            order = Order(
                requester_id=uid,
                community_id=org[COMMUNITIES[crowd[s.person].community]].id,
                category="elderly_visit",
                description="陪老人聊天",
                starts_at=at - timedelta(hours=3),
                ends_at=at - timedelta(hours=1),
                address="活动室",
                contact_phone="13800138000",
                helpers_requested=1,
                state=(OrderState.COMPLETED if s.done else OrderState.FILLED).value,
                completed_at=at if s.done else None,
            )
            session.add(order)
            await session.flush()
            session.add(
                Claim(
                    order_id=order.id,
                    volunteer_id=uid,
                    state=ClaimState.DONE.value,
                    minutes=s.minutes,
                    joined_at=at,
                    created_at=at,
                    late_cancel=False,
                )
            )
            account = accounts.get(uid)
            if account is None:
                account = PointAccount(
                    key=f"volunteer:{uid}", kind=AccountKind.VOLUNTEER.value, user_id=uid
                )
                session.add(account)
                await session.flush()
                accounts[uid] = account
            up = s.points > 0
            session.add(
                PointMovement(
                    key=f"m:{n}",
                    kind=(MovementKind.EARN if up else MovementKind.ADJUST).value,
                    amount=abs(s.points),
                    from_account_id=issuing.id if up else account.id,
                    to_account_id=account.id if up else issuing.id,
                    from_balance=0,
                    to_balance=0,
                    created_at=at,
                )
            )
    return uids


def expected(
    svc: RankingService,
    crowd: list[Person],
    uids: list[int],
    done: list[Service],
    metric: str,
    period: str,
    keep: Any,
) -> list[tuple[int, int, int]]:
    """(rank, user id, figure), best first, ties by user id: by brute force."""
    window = svc.window(period, NOW)  # type: ignore[arg-type]
    figures: dict[int, int] = {}
    for s in done:
        at = NOW - timedelta(hours=s.hours_ago)
        if window.since is not None and not (window.since <= at < window.until):  # type: ignore[operator]
            continue
        if metric == "hours" and s.done:
            figures[s.person] = figures.get(s.person, 0) + s.minutes
        elif metric == "points":
            figures[s.person] = figures.get(s.person, 0) + s.points
    ranked = [
        (uids[i], f) for i, f in figures.items() if f > 0 and crowd[i].approved and keep(crowd[i])
    ]
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return [(1 + sum(1 for _, g in ranked if g > f), u, f) for u, f in ranked]


def admin(user_id: int = 1) -> UserDTO:
    return UserDTO(user_id, 1, "admin", "zh_CN", None, None, is_admin=True)


def test_every_board_is_what_a_brute_force_reading_ranks(db_url: str, tmp_path: Path) -> None:
    """Each example on an empty database with the org (the ledger is append-only, so
    nothing is deleted): on SQLite a copy of one made once, on PostgreSQL truncated and
    the org loaded again (the same ids)."""
    with asyncio.Runner() as runner:
        base = Database.from_url(db_url)
        if base.dialect == "postgresql":
            run(runner, truncate_all(base))
        org = run(runner, load_org(build_services(base, FakeClock(NOW))))
        run(runner, base.dispose())
        examples = itertools.count()

        def fresh() -> Database:
            if db_url.startswith("sqlite"):
                path = tmp_path / f"example-{next(examples)}.db"
                shutil.copyfile(db_url.split("///", 1)[1], path)
                return Database.from_url(f"sqlite+aiosqlite:///{path}")
            db = Database.from_url(db_url)
            run(runner, truncate_all(db))
            run(runner, load_org(build_services(db, FakeClock(NOW))))
            return db

        teams = [t.id for t in org.teams]

        @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.data())
        def check(data: st.DataObject) -> None:
            crowd = data.draw(people)
            done = data.draw(services_of(len(crowd)))
            db = fresh()
            svc = RankingService(db, FakeClock(NOW), ZONE)
            try:
                uids = run(runner, fill(db, org, crowd, done))
                scopes: list[tuple[str, int, Any]] = [
                    ("u", org[DISTRICT].id, lambda p: True),
                    ("u", org[COMMUNITY].id, lambda p: p.community == 0),
                    ("u", org[OTHER_COMMUNITY].id, lambda p: p.community == 1),
                    *[("t", teams[i], lambda p, i=i: i in p.teams) for i in range(3)],
                ]
                for metric, period, (kind, ident, keep) in itertools.product(
                    ("hours", "points"), PERIODS, scopes
                ):
                    want = expected(svc, crowd, uids, done, metric, period, keep)
                    board = run(runner, svc.board(admin(), metric, period, kind, ident))  # type: ignore[arg-type]
                    got = [(r.rank, r.user_id, r.figure) for r in board.rows]
                    where = (metric, period, kind, ident)
                    assert got == want[: len(got)] and board.total == len(want), where
                    # their own place: the first, the last, one drawn
                    picks = {0, len(want) - 1, data.draw(st.integers(0, max(len(want) - 1, 0)))}
                    for rank, uid, figure in [want[i] for i in sorted(picks) if want]:
                        me = UserDTO(uid, 0, "V", "zh_CN", None, None, is_admin=True)
                        own = run(runner, svc.board(me, metric, period, kind, ident))  # type: ignore[arg-type]
                        assert own.mine is not None
                        assert (own.mine.rank, own.mine.figure) == (rank, figure), where
                # team totals: the communities of the street, the streets, the teams
                me = UserDTO(
                    uids[0], 0, "V", "zh_CN", None, org[COMMUNITY].id,
                    volunteer_status=ApprovalState.APPROVED,
                )  # fmt: skip
                street_of = {u.id: u.parent_id for u in org.units.values()}
                for metric, period in itertools.product(("hours", "points"), PERIODS):
                    per = {
                        uid: figure
                        for _, uid, figure in expected(
                            svc, crowd, uids, done, metric, period, lambda p: True
                        )
                    }
                    person = {uid: crowd[i] for i, uid in enumerate(uids)}
                    community = {uid: org[COMMUNITIES[p.community]].id for uid, p in person.items()}
                    keys: dict[str, Any] = {
                        "community": lambda uid, c=community: (
                            [c[uid]] if street_of[c[uid]] == org[COMMUNITY].parent_id else []
                        ),
                        "street": lambda uid, c=community: [street_of[c[uid]]],
                        "team": lambda uid, p=person: [teams[i] for i in p[uid].teams],
                    }
                    for kind, key in keys.items():
                        sums: dict[int, list[int]] = {}
                        for uid, figure in per.items():
                            for group in key(uid):
                                sums.setdefault(group, []).append(figure)
                        board = run(runner, svc.groups(me, metric, period, kind))  # type: ignore[arg-type]
                        got = {(r.name.id, r.figure, r.members) for r in board.rows}
                        assert got == {(g, sum(f), len(f)) for g, f in sums.items()}, (kind, period)
                        ranks = [r.rank for r in board.rows]
                        totals = [r.figure for r in board.rows]
                        assert ranks == [1 + sum(1 for t in totals if t > f) for f in totals]
            finally:
                run(runner, db.dispose())

        check()


def test_names_are_masked_as_leaderboards_do() -> None:
    assert [mask(n) for n in ("张", "张三", "张小明", "欧阳小明", "Li")] == [
        "张",
        "张*",
        "张*明",
        "欧**明",
        "L*",
    ]


async def test_a_coordinator_pages_the_whole_board_and_a_volunteer_sees_the_top_ten_and_ties(
    db: Database,
) -> None:
    """45 volunteers, the 10th to 12th tied: a coordinator's board is every row, 20 a
    page, names whole; a volunteer's is the top ten and the two tied with the tenth,
    others' names masked, and their own place below it."""
    org = await load_org(build_services(db, FakeClock(NOW)))
    crowd = [Person(0, frozenset(), True) for _ in range(45)]
    minutes = [600 - 10 * i for i in range(45)]
    minutes[10] = minutes[11] = minutes[9]  # tied with the tenth
    done = [Service(i, m, 1.0, True, 30) for i, m in enumerate(minutes)]
    uids = await fill(db, org, crowd, done)
    svc = RankingService(db, FakeClock(NOW), ZONE)
    boss = UserDTO(1, 1, "boss", "zh_CN", None, None, coordinator_unit=org[COMMUNITY])
    want = expected(svc, crowd, uids, done, "hours", "month", lambda p: True)
    pages = [await svc.board(boss, "hours", "month", "u", org[COMMUNITY].id, n) for n in range(4)]
    assert [p.pages for p in pages] == [3, 3, 3, 3]
    assert [p.page for p in pages] == [0, 1, 2, 2]  # past the last: the last
    rows = [(r.rank, r.user_id, r.figure) for p in pages[:3] for r in p.rows]
    assert rows == want and all(r.name == f"志愿者{r.user_id}" for r in pages[0].rows)

    last = uids[-1]
    volunteer = UserDTO(
        last, 0, "V", "zh_CN", None, org[COMMUNITY].id, volunteer_status=ApprovalState.APPROVED
    )
    board = await svc.board(volunteer, "hours", "month", "u", org[COMMUNITY].id)
    assert [(r.rank, r.figure) for r in board.rows] == [(w[0], w[2]) for w in want[:12]]
    assert [r.rank for r in board.rows][9:] == [10, 10, 10]
    assert all(r.name == mask(f"志愿者{r.user_id}") for r in board.rows)
    assert board.mine is not None and (board.mine.rank, board.total) == (45, 45)
    with pytest.raises(NotAllowed):  # a board that is not theirs
        await svc.board(volunteer, "hours", "month", "u", org[OTHER_COMMUNITY].id)
