"""积分参赛 — the leaderboards: verified hours or earned points, this week / month / year
or all time (weeks from Monday, months and years as ``[general] timezone`` counts
them), within a volunteer's community, street, the district, or a specialty team of
theirs; the top ten (and whoever ties with the tenth) and the volunteer's own place
even outside them. A coordinator sees their unit's board and the boards below it, the
whole list paged, with full names; volunteers see others' names masked (张*明).
Team totals: community squads within a street, streets within the district, specialty
teams against each other.

Every board is checked against the asker's rights now: a volunteer only the scopes
they belong to, a coordinator their unit and below (an administrator: all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.services.kernel.clock import Clock
from bot.services.kernel.dto import Role, TeamDTO, UnitDTO, UserDTO
from bot.services.kernel.errors import InvalidValue, NotAllowed, NotFound
from bot.services.org.units import team_dto, unit_dto
from bot.services.recognition.stars import StarService
from storage.database import Database
from storage.repositories import org as org_repo
from storage.repositories import rankings as rankings_repo
from storage.repositories import users as users_repo
from storage.repositories import volunteers as volunteers_repo
from storage.repositories.rankings import GroupKind, Metric, Scope, Window

METRICS: tuple[Metric, ...] = ("hours", "points")
Period = Literal["week", "month", "year", "all"]
PERIODS: tuple[Period, ...] = ("week", "month", "year", "all")
GROUP_KINDS: tuple[GroupKind, ...] = ("community", "street", "team")
TOP = 10  # a volunteer's board: the top ten (and ties with the tenth, up to TOP_MAX)
TOP_MAX = 20
PAGE = 20  # a coordinator's board, a page


@dataclass(frozen=True)
class Where:
    """A board's scope: a unit (its communities' volunteers) or a specialty team."""

    unit: UnitDTO | None = None
    team: TeamDTO | None = None

    @property
    def key(self) -> tuple[str, int]:
        return ("t", self.team.id) if self.team else ("u", self.unit.id if self.unit else 0)


@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: int
    name: str  # masked unless the asker may see it whole
    figure: int  # minutes, or tenths of a point
    mine: bool = False
    stars: int = 0  # their star level (星级志愿者) now


@dataclass(frozen=True)
class Board:
    metric: Metric
    period: Period
    where: Where
    since: datetime | None  # the period's first moment (None: all time)
    rows: tuple[Standing, ...]
    mine: Standing | None  # the asker's own place (None: not on this board)
    total: int  # volunteers on the board
    page: int = 0
    pages: int = 1
    full: bool = False  # a coordinator's board: every row, paged


@dataclass(frozen=True)
class GroupStanding:
    rank: int
    name: UnitDTO | TeamDTO
    figure: int
    members: int
    mine: bool = False  # the asker's community, street or team


@dataclass(frozen=True)
class GroupBoard:
    metric: Metric
    period: Period
    kind: GroupKind
    within: UnitDTO | None  # the street of the communities, the district of the streets
    since: datetime | None
    rows: tuple[GroupStanding, ...]


def mask(name: str) -> str:
    """张三 → 张*, 张小明 → 张*明, a Latin name → its first letter and its last."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 3) + name[-1]


class RankingService:
    def __init__(
        self, db: Database, clock: Clock, timezone: str, stars: StarService | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.timezone = timezone
        self.stars = stars  # each row's star level (None: not shown)

    # ---- periods -------------------------------------------------------------------
    def window(self, period: Period, now: datetime | None = None) -> Window:
        """The period that ``now`` (the clock's) falls in, as [since, until)."""
        if period not in PERIODS:
            raise InvalidValue("period", "unknown")
        if period == "all":
            return Window()
        local = (now or self.clock.now()).astimezone(ZoneInfo(self.timezone))
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if period == "week":
            since = day - timedelta(days=day.weekday())
            until = since + timedelta(days=7)
        elif period == "month":
            since = day.replace(day=1)
            until = (since + timedelta(days=32)).replace(day=1)
        else:
            since = day.replace(month=1, day=1)
            until = since.replace(year=since.year + 1)
        # the zone's offset at each end (no daylight saving in Asia/Shanghai, but others)
        zone = ZoneInfo(self.timezone)
        return Window(since.replace(tzinfo=zone), until.replace(tzinfo=zone))

    # ---- who may see what ------------------------------------------------------------
    async def choices(self, user: UserDTO) -> list[Where]:
        """The boards the user may open, theirs first: a volunteer's community, its
        street, the district and each specialty team of theirs; a coordinator's unit
        (their own community's, street's and district's boards too when they
        volunteer)."""
        out: list[Where] = []
        async with self.db.read() as session:
            if user.coordinator_unit is not None:
                out.append(Where(unit=user.coordinator_unit))
            if Role.VOLUNTEER in user.roles and user.community_id is not None:
                community = await org_repo.unit(session, user.community_id)
                while community is not None:
                    where = Where(unit=unit_dto(community))
                    if where not in out:
                        out.append(where)
                    parent = community.parent_id
                    community = await org_repo.unit(session, parent) if parent else None
                teams = {t.id: t for t in await org_repo.teams(session)}
                for team_id in await volunteers_repo.team_ids(session, user.id):
                    if team_id in teams:
                        out.append(Where(team=team_dto(teams[team_id])))
        return out

    async def _where(self, user: UserDTO, kind: str, ident: int) -> tuple[Where, bool]:
        """The board asked for, if the user may open it; and whether they see it whole
        (a coordinator of it or above it). NotAllowed otherwise."""
        async with self.db.read() as session:
            if kind == "t":
                teams = {t.id: t for t in await org_repo.teams(session)}
                if ident not in teams:
                    raise NotFound("team")
                where = Where(team=team_dto(teams[ident]))
            else:
                row = await org_repo.unit(session, ident)
                if row is None:
                    raise NotFound("unit")
                where = Where(unit=unit_dto(row))
        mine = user.coordinator_unit
        whole = bool(
            user.is_admin or (mine is not None and where.unit and mine.contains(where.unit))
        )
        if whole or where in await self.choices(user):
            return where, whole
        raise NotAllowed("not your board")

    # ---- boards ----------------------------------------------------------------------
    async def board(
        self,
        user: UserDTO,
        metric: Metric,
        period: Period,
        kind: str,
        ident: int,
        page: int = 0,
    ) -> Board:
        if metric not in METRICS:
            raise InvalidValue("metric", "unknown")
        where, whole = await self._where(user, kind, ident)
        window = self.window(period)
        scope = Scope(
            path=where.unit.path if where.unit else None,
            team_id=where.key[1] if where.team else None,
        )
        async with self.db.read() as session:
            total = await rankings_repo.count(session, metric, window, scope)
            if whole:
                pages = max(1, -(-total // PAGE))
                page = min(max(page, 0), pages - 1)
                rows = await rankings_repo.top(session, metric, window, scope, page * PAGE, PAGE)
            else:
                pages, page = 1, 0
                rows = await rankings_repo.top(session, metric, window, scope, 0, TOP_MAX)
                cut = rows[TOP - 1].figure if len(rows) >= TOP else None
                rows = [r for r in rows if cut is None or r.figure >= cut]
            mine = await rankings_repo.position(session, metric, window, scope, user.id)
            names = await self._names(session, [r.user_id for r in rows])
            shown_ids = [r.user_id for r in rows] + ([user.id] if mine is not None else [])
            stars = await self.stars.levels(session, shown_ids) if self.stars else {}

        def shown(r: rankings_repo.Row) -> str:
            name = names.get(r.user_id, "")
            return name if whole or r.user_id == user.id else mask(name)

        standing = [
            Standing(
                r.rank, r.user_id, shown(r), r.figure, r.user_id == user.id, stars.get(r.user_id, 0)
            )
            for r in rows
        ]
        own = (
            Standing(
                mine.rank, user.id, user.display_name, mine.figure, True, stars.get(user.id, 0)
            )
            if mine is not None
            else None
        )
        return Board(
            metric, period, where, window.since, tuple(standing), own, total, page, pages, whole
        )

    async def _names(self, session: object, user_ids: list[int]) -> dict[int, str]:
        names: dict[int, str] = {}
        for user_id in user_ids:
            profile = await volunteers_repo.profile(session, user_id)  # type: ignore[arg-type]
            if profile is not None:
                names[user_id] = profile.real_name
            elif (row := await users_repo.by_id(session, user_id)) is not None:  # type: ignore[arg-type]
                names[user_id] = row.first_name
        return names

    async def groups(
        self, user: UserDTO, metric: Metric, period: Period, kind: GroupKind
    ) -> GroupBoard:
        """Team totals of ``kind``: the communities of the user's street (a coordinator's:
        of their street, or the street of their community), the streets of the district,
        or the specialty teams."""
        if metric not in METRICS:
            raise InvalidValue("metric", "unknown")
        if kind not in GROUP_KINDS:
            raise InvalidValue("group", "unknown")
        window = self.window(period)
        async with self.db.read() as session:
            chain = await self._chain(session, user)
            within: UnitDTO | None = None
            if kind == "community":
                within = next((u for u in chain if u.kind == "street"), None)
                if within is None:
                    raise NotAllowed("no street")
            elif kind == "street":
                within = next((u for u in chain if u.kind == "district"), None)
                if within is None:
                    raise NotAllowed("no district")
            rows = await rankings_repo.groups(
                session, metric, window, kind, within.path if within else None
            )
            if kind == "team":
                teams = {t.id: team_dto(t) for t in await org_repo.teams(session)}
                mine_ids = set(await volunteers_repo.team_ids(session, user.id))
                named: list[GroupStanding] = [
                    GroupStanding(
                        r.rank, teams[r.group_id], r.figure, r.members, r.group_id in mine_ids
                    )
                    for r in rows
                    if r.group_id in teams
                ]
            else:
                ids = {u.id for u in chain}
                named = []
                for r in rows:
                    unit = await org_repo.unit(session, r.group_id)
                    if unit is not None:
                        named.append(
                            GroupStanding(
                                r.rank, unit_dto(unit), r.figure, r.members, unit.id in ids
                            )
                        )
        return GroupBoard(metric, period, kind, within, window.since, tuple(named))

    async def _chain(self, session: object, user: UserDTO) -> list[UnitDTO]:
        """The user's units from the bottom: their community (or coordinator's unit) up
        to the district."""
        start = (
            user.community_id
            if Role.VOLUNTEER in user.roles and user.community_id is not None
            else (user.coordinator_unit.id if user.coordinator_unit else None)
        )
        chain: list[UnitDTO] = []
        while start is not None:
            row = await org_repo.unit(session, start)  # type: ignore[arg-type]
            if row is None:
                break
            chain.append(unit_dto(row))
            start = row.parent_id
        if not chain and user.is_admin:
            roots = await org_repo.roots(session)  # type: ignore[arg-type]
            chain = [unit_dto(r) for r in roots]
        return chain
