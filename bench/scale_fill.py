"""The fill of bench/scale.py: Hanyang's org at its real size, N approved volunteers and a
year of completed orders with their claims and earn movements, written in bulk.

The org file: the example org's district, 11 streets, 7 teams and categories, with its 4
named communities and generated ones (``yingwu.c07``) up to 116, imported by the bot's
own start-up (``prepare_database``). Everything else is plain rows, generated here with
a fixed seed and written by the driver itself, bypassing the services and the ORM
(SQLite: ``executemany`` of tuples on a ``sqlite3`` connection of the bench's own, with
``synchronous=OFF`` on that connection alone; PostgreSQL: ``COPY`` through asyncpg), in
chunks:

- residents (the requesters: 10 a community) and volunteers (users, approved
  ``volunteer_profiles``, ``point_accounts`` of kind volunteer), the volunteers spread
  over the communities with a log-normal skew; ~30 % of them in one or two teams;
- how many places each volunteer served in the year: Pareto-distributed weights (shape
  1.16: the 80/20 rule), capped at 700 a year (about two a day), so that most volunteers
  served a few times, a few hundred times, and some never;
- each place's completion time uniform over the 365 days before ``now``; a community's
  places, in time order, grouped into orders of 1 to 4 distinct volunteers (completed,
  in that community, the category drawn from the example's), each with its claims
  (state done, the order's minutes: 30 to 180) and one ``earn`` movement a claim from
  the issuing account at the completion time (3 points an hour), ids in time order, with
  the running balances (``from_balance``, ``to_balance``) an append-only ledger would
  hold; every account's balance is the sum of its movements (the issuing account's:
  minus all the points).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import tomllib
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from storage.repositories.orders import number_for

ROOT = Path(__file__).resolve().parents[1]
FIRST_ID = 20_000_000  # the volunteers' Telegram ids; residents' from RESIDENT_ID
RESIDENT_ID = 19_000_000
COMMUNITIES = 116
RESIDENTS_PER_COMMUNITY = 10
MAX_PER_YEAR = 700  # places a volunteer serves in a year, at most
RATE = 3  # points an hour: minutes × 3 × 10 / 60 tenths = minutes / 2
MINUTES = (30, 60, 60, 90, 120, 120, 180)
CHUNK = 50_000
PHONE = "+8613800138000"
CLAIM_TAIL = (False, False, False, 4)  # late_cancel, auto_checked_out, minutes_corrected, version
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬鑫浩宇轩睿"


def org_file(directory: Path) -> Path:
    """The example org with communities generated up to 116 (and no grids)."""
    example = tomllib.loads((ROOT / "orgs.example.toml").read_text(encoding="utf-8"))
    streets = [s["code"] for s in example["street"]]
    communities = list(example["community"])
    per_street = {s: sum(1 for c in communities if c["street"] == s) for s in streets}
    n = 0
    while len(communities) < COMMUNITIES:
        street = streets[n % len(streets)]
        n += 1
        per_street[street] += 1
        number = per_street[street]
        communities.append(
            {
                "code": f"{street}.c{number:02d}",
                "street": street,
                "name_zh": f"{street}第{number}社区",
                "name_en": f"{street} community {number}",
            }
        )
    lines = []

    def entry(header: str, values: dict[str, str]) -> None:
        lines.append(header)
        lines.extend(f"{key} = {_toml(value)}" for key, value in values.items())
        lines.append("")

    entry("[district]", example["district"])
    for street_entry in example["street"]:
        entry("[[street]]", street_entry)
    for community in communities:
        entry("[[community]]", community)
    for team in example["team"]:
        entry("[[team]]", team)
    for category in example["category"]:
        entry("[[category]]", category)
    path = directory / "orgs.scale.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Org:
    """What the fill needs of the imported org (ids from the database)."""

    communities: list[int]
    teams: list[int]
    categories: list[str]
    issuing_account: int | None  # None: to be inserted
    first_user_id: int
    first_account_id: int


@dataclass
class Plan:
    """What was written (the bench picks its users from it)."""

    volunteers: list[int] = field(default_factory=list)  # user ids
    community_of: dict[int, int] = field(default_factory=dict)
    telegram_of: dict[int, int] = field(default_factory=dict)
    served: dict[int, int] = field(default_factory=dict)  # user id → places
    orders: int = 0
    movements: int = 0


Rows = tuple[str, Sequence[str], list[tuple[Any, ...]]]


def generate(org: Org, n: int, m: int, now: datetime, plan: Plan) -> Iterator[Rows]:
    """The rows, table by table, a chunk at a time; ``plan`` filled on the way."""
    rnd = random.Random(16)
    weights = [rnd.lognormvariate(0, 0.6) for _ in org.communities]
    cum = list(accumulate(weights))
    uid = org.first_user_id
    residents: dict[int, list[int]] = {}
    rows: list[tuple[Any, ...]] = []
    for i, community in enumerate(org.communities):
        residents[community] = []
        for j in range(RESIDENTS_PER_COMMUNITY):
            tid = RESIDENT_ID + i * RESIDENTS_PER_COMMUNITY + j
            rows.append((uid, tid, f"居民{tid}", "zh_CN", community, now, now))
            residents[community].append(uid)
            uid += 1
    users = "id telegram_id first_name language community_id created_at updated_at".split()
    yield "users", users, rows
    first_volunteer = uid
    community_of = plan.community_of
    for k in range(n):
        community_of[first_volunteer + k] = org.communities[
            bisect_left(cum, rnd.random() * cum[-1])
        ]
    plan.volunteers = list(range(first_volunteer, first_volunteer + n))
    profiles = (
        "user_id",
        "real_name",
        "phone",
        "phone_verified",
        "community_id",
        "consent_at",
        "status",
        "created_at",
        "updated_at",
    )
    for start in range(0, n, CHUNK):
        ids = plan.volunteers[start : start + CHUNK]
        user_rows, profile_rows = [], []
        for v in ids:
            tid = FIRST_ID + (v - first_volunteer)
            plan.telegram_of[v] = tid
            name = rnd.choice(SURNAMES) + "".join(rnd.choices(GIVEN, k=rnd.choice((1, 2))))
            joined = now - timedelta(days=rnd.uniform(30, 900))
            user_rows.append((v, tid, name[1:], "zh_CN", community_of[v], joined, joined))
            phone = f"+86138{tid % 100_000_000:08d}"
            profile_rows.append(
                (v, name, phone, True, community_of[v], joined, "approved", joined, joined)
            )
        yield "users", users, user_rows
        yield "volunteer_profiles", profiles, profile_rows
    team_rows = []
    for v in plan.volunteers:
        if rnd.random() < 0.3:
            for team in rnd.sample(org.teams, rnd.choice((1, 1, 2))):
                team_rows.append((v, team))
    yield "volunteer_teams", ("user_id", "team_id"), team_rows

    # places served a volunteer: Pareto weights capped at MAX_PER_YEAR, then drawn
    raw = [rnd.paretovariate(1.16) for _ in range(n)]
    for _ in range(3):
        total = sum(raw)
        cap = MAX_PER_YEAR * total / m
        raw = [min(w, cap) for w in raw]
    cum_v = list(accumulate(raw))
    start_s = (now - timedelta(days=365)).timestamp()
    span = 365 * 86_400
    per_community: dict[int, list[tuple[float, int]]] = {c: [] for c in org.communities}
    for _ in range(m):
        v = first_volunteer + bisect_left(cum_v, rnd.random() * cum_v[-1])
        per_community[community_of[v]].append((start_s + rnd.random() * span, v))

    # orders: a community's places in time order, 1 to 4 distinct volunteers each
    orders: list[tuple[float, int, list[int]]] = []
    for community, places in per_community.items():
        places.sort()
        i = 0
        while i < len(places):
            at, first = places[i]
            crew = [first]
            size = rnd.choice((1, 1, 2, 2, 3, 4))
            i += 1
            while len(crew) < size and i < len(places) and places[i][1] not in crew:
                crew.append(places[i][1])
                i += 1
            orders.append((at, community, crew))
    orders.sort(key=lambda o: o[0])
    del per_community
    yield from _orders(org, orders, residents, rnd, plan)


def _orders(
    org: Org,
    orders: list[tuple[float, int, list[int]]],
    residents: dict[int, list[int]],
    rnd: random.Random,
    plan: Plan,
) -> Iterator[Rows]:
    order_cols = (
        "id number requester_id community_id category description starts_at ends_at "
        "address contact_phone helpers_requested state places taken scope published_at "
        "completed_at completed_by_id created_at updated_at"
    ).split()
    claim_cols = (
        "id order_id volunteer_id state joined_at checked_in_at checked_out_at minutes "
        "late_cancel auto_checked_out minutes_corrected version created_at"
    ).split()
    move_cols = (
        "id key kind amount from_account_id to_account_id from_balance to_balance "
        "order_id claim_id minutes created_at"
    ).split()
    issuing = org.issuing_account or org.first_account_id
    account_of = {v: org.first_account_id + 1 + k for k, v in enumerate(plan.volunteers)}
    balance: dict[int, int] = {}
    issued = 0
    order_rows: list[tuple[Any, ...]] = []
    claim_rows: list[tuple[Any, ...]] = []
    move_rows: list[tuple[Any, ...]] = []
    claim_id = 0
    for order_id, (at, community, crew) in enumerate(orders, start=1):
        done = datetime.fromtimestamp(at, UTC)
        minutes = rnd.choice(MINUTES)
        ends = done - timedelta(minutes=rnd.randint(5, 120))
        starts = ends - timedelta(minutes=minutes)
        published = starts - timedelta(hours=rnd.randint(6, 72))
        requester = rnd.choice(residents[community])
        what = (rnd.choice(org.categories), "请帮忙", starts, ends, "社区服务站", PHONE)
        size = len(crew)
        head = (order_id, number_for(order_id), requester, community, *what, size)
        tail = ("completed", size, 0, "community", published, done, requester)
        order_rows.append((*head, *tail, published - timedelta(hours=1), done))
        amount = minutes * RATE * 10 // 60
        for v in crew:
            claim_id += 1
            joined = published + timedelta(minutes=rnd.randint(1, 300))
            claim_rows.append(
                (claim_id, order_id, v, "done", joined, starts, ends, minutes, *CLAIM_TAIL, joined)
            )
            issued += amount
            mine = balance.get(v, 0) + amount
            balance[v] = mine
            plan.served[v] = plan.served.get(v, 0) + 1
            key = f"earn:{claim_id}"
            to = account_of[v]
            move = (claim_id, key, "earn", amount, issuing, to, -issued, mine, order_id, claim_id)
            move_rows.append((*move, minutes, done))
        if len(move_rows) >= CHUNK:
            yield "orders", order_cols, order_rows
            yield "claims", claim_cols, claim_rows
            yield "point_movements", move_cols, move_rows
            order_rows, claim_rows, move_rows = [], [], []
    yield "orders", order_cols, order_rows
    yield "claims", claim_cols, claim_rows
    yield "point_movements", move_cols, move_rows
    plan.orders = len(orders)
    plan.movements = claim_id
    account_cols = ("id", "key", "kind", "user_id", "balance", "created_at")
    first = orders[0][0] if orders else 0.0
    opened = datetime.fromtimestamp(first, UTC) - timedelta(days=1)
    accounts: list[tuple[Any, ...]] = []
    if org.issuing_account is None:
        accounts.append((issuing, "issuing", "issuing", None, -issued, opened))
    for v, account in account_of.items():
        accounts.append((account, f"volunteer:{v}", "volunteer", v, balance.get(v, 0), opened))
    # the accounts go in first (the movements refer to them): see Sink.write
    yield "point_accounts", account_cols, accounts


ORDER = ("users", "volunteer_profiles", "volunteer_teams", "point_accounts")


class Sink:
    """Writes the generated rows with the driver itself, the referenced tables first: the
    rows of orders, claims and movements are kept until the accounts are written."""

    def __init__(self) -> None:
        self.later: list[Rows] = []

    def run(self, rows: Iterator[Rows]) -> None:
        for table, columns, chunk in rows:
            if table in ORDER:
                self.write(table, columns, chunk)
            else:
                self.later.append((table, columns, chunk))
        for table, columns, chunk in self.later:
            self.write(table, columns, chunk)
        self.later.clear()
        self.finish()

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


def sqlite_time(value: Any) -> Any:
    """As UTCDateTime stores it on SQLite (SQLAlchemy's DATETIME text, UTC wall time)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


class SQLiteSink(Sink):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA synchronous=OFF")  # this connection only
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA cache_size=-400000")
        self.conn.execute("BEGIN")

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        self.conn.executemany(sql, ([sqlite_time(v) for v in row] for row in rows))

    def finish(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()


class PostgresSink(Sink):
    """COPY through asyncpg, on a loop of its own (the fill runs in a thread)."""

    def __init__(self, dsn: str) -> None:
        super().__init__()
        import asyncpg

        self.loop = asyncio.new_event_loop()
        self.conn = self.loop.run_until_complete(asyncpg.connect(dsn))
        self.tx = self.conn.transaction()
        self.loop.run_until_complete(self.tx.start())

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        self.loop.run_until_complete(
            self.conn.copy_records_to_table(table, records=rows, columns=list(columns))
        )

    def finish(self) -> None:
        run = self.loop.run_until_complete
        for table in ("users", "orders", "claims", "point_movements", "point_accounts"):
            run(
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        run(self.tx.commit())
        run(self.conn.execute("ANALYZE"))
        run(self.conn.close())
        self.loop.close()


def fill(url: str, org: Org, n: int, m: int, now: datetime) -> Plan:
    """Write it all (blocking: run it in a thread); what was written."""
    plan = Plan()
    sink: Sink
    if url.startswith("sqlite"):
        sink = SQLiteSink(url.split("///", 1)[1])
    else:
        sink = PostgresSink(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    sink.run(generate(org, n, m, now, plan))
    return plan
