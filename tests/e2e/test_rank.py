"""End to end over HTTP, zh and en: two volunteers serve an activity (120 and 90
minutes) and it is completed; /rank shows the community's board of the month by hours —
the reader's own row whole and in bold, the other's name masked, medals, their place —
then by points, then this year, then the team totals of the street's communities and
of the streets; the coordinator's /rank is their unit's board with full names; a
non-volunteer is told what the boards are for; a forged press for another street's board is
refused. The first one's 2 hours make them a ★ volunteer (★ at 2 h here): they and
their coordinator are told, the boards show it, /points and /me say what the next
level needs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import get_translator
from bot.services.recognition.rankings import mask
from sandbox import Sandbox
from tests.support.bot import RunningBot, clock_at
from tests.support.chat import language_code, serve_activity, shown, staff
from tests.support.people import add_approved_volunteers
from tests.support.services import FakeClock

COMMUNITY = "longyang.longhudongan"
OTHER = "yongfeng.longmo"
COORDINATOR_ID = 9451
VOLUNTEER_IDS = (2451, 2452)
RESIDENT_ID = 2459
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
STARTS = NOW + timedelta(days=1)


clock = clock_at(NOW)


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("&amp;", "&")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_volunteers_and_coordinators_read_the_leaderboards(
    bot_on_clock: RunningBot, sandbox: Sandbox, clock: FakeClock, language: str
) -> None:
    bot = bot_on_clock
    t, code, services = get_translator(language), language_code(language), bot.services
    community = await staff(bot, COMMUNITY, COORDINATOR_ID, VOLUNTEER_IDS, language)
    other = await services.org.unit_by_code(OTHER)
    assert other is not None
    await add_approved_volunteers(bot.db, other.id, [2453], language=language)
    v1, v2 = (sandbox.user(tid, language_code=code) for tid in VOLUNTEER_IDS)
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    boss = await services.users.get(COORDINATOR_ID)
    assert boss is not None
    services.stars.star_hours = (2, 5)  # ★ at 2 h here (100 h by default)
    await serve_activity(bot, clock, community, COORDINATOR_ID, VOLUNTEER_IDS, (120, 90), STARTS)
    first, second = (f"志愿者{tid}" for tid in VOLUNTEER_IDS)  # their registered names

    def row(rank: int, name: str, figure: str) -> str:
        medal = {1: "🥇 ", 2: "🥈 "}[rank]
        return shown(t, "rank.row", medal=medal, rank=rank, name=name, figure=figure)

    hours = lambda h: shown(t, "rank.figure_hours", hours=h)  # noqa: E731
    points = lambda p: shown(t, "rank.figure_points", points=p)  # noqa: E731
    month = t.plain("rank.period_month")
    title = shown(
        t,
        "rank.title",
        where=community.name(language),
        period=month,
        metric=t.plain("rank.metric_hours"),
    )

    # the volunteer's board: their community, this month, by hours
    await v2.command("/rank")
    board = await v2.wait_for(title)
    # the other's name masked, with their star (2 h: ★)
    assert row(1, f"{mask(first)} ★", hours("2")) in board.text
    assert row(2, second, hours("1.5")) in board.text  # their own whole
    assert f"<b>{row(2, second, hours('1.5'))}</b>" in (board.html or "")
    assert shown(t, "rank.mine", 2, rank=2, figure=hours("1.5"), total=2) in board.text
    assert first not in board.text  # nobody else's full name
    # ✅ marks what is shown; their boards: community, street, district
    assert "✅ " + t.plain("rank.metric_hours") in str(board.buttons)
    assert "✅ " + month in str(board.buttons)

    # by points: 3 an hour
    await v2.press(t.plain("rank.metric_points"), message=board)
    by_points = await v2.wait_for(
        predicate=lambda m: (
            m.message_id == board.message_id
            and t.plain("rank.metric_points") in m.text.split("\n")[0]
        )
    )
    assert row(1, f"{mask(first)} ★", points("6")) in by_points.text
    assert row(2, second, points("4.5")) in by_points.text

    # the district's board this year: the other street's volunteer has nothing yet
    district = (await services.org.roots())[0]
    await v2.press(district.name(language), message=by_points)
    await v2.wait_for(
        predicate=lambda m: (
            m.message_id == board.message_id and district.name(language) in m.text.split("\n")[0]
        )
    )
    await v2.press(t.plain("rank.period_year"), message=board.message_id)
    year = await v2.wait_for(
        predicate=lambda m: (
            m.message_id == board.message_id
            and t.plain("rank.period_year") in m.text.split("\n")[0]
        )
    )
    assert row(2, second, points("4.5")) in year.text and "2453" not in year.text

    # team totals: the communities of the street
    await v2.press(t.plain("rank.button_groups_community"), message=year)
    street = await services.org.unit(community.parent_id or 0)
    assert street is not None
    squads = await v2.wait_for(
        predicate=lambda m: (
            m.message_id == board.message_id
            and t.plain("rank.groups_community", within=street.name(language)) in m.text
        )
    )
    squad = shown(
        t,
        "rank.group_row",
        2,
        medal="🥇 ",
        rank=1,
        name=community.name(language),
        figure=points("10.5"),
        members=2,
    )
    assert squad in squads.text

    # the coordinator was told of their volunteer's star, as the volunteer was
    told = get_translator(boss.language)  # the coordinator's own language
    await coordinator.wait_for(
        shown(
            told,
            "stars.reached_coordinator",
            community=community.name(boss.language),
            name=first,
            mark="★",
            hours=2,
        )
    )
    # the coordinator: their unit's board, full names
    await coordinator.command("/rank")
    theirs = await coordinator.wait_for(title)
    assert row(1, f"{first} ★", hours("2")) in theirs.text
    assert row(2, second, hours("1.5")) in theirs.text
    await v1.wait_for(shown(t, "stars.reached", mark="★", hours=2, total="2"))
    await v1.command("/points")
    await v1.wait_for(shown(t, "stars.level", mark="★", hours="2", left="3", next_mark="★★"))
    await v2.command("/me")
    await v2.wait_for(shown(t, "stars.none", hours="1.5", next=2))

    # someone who is no volunteer
    resident = sandbox.user(RESIDENT_ID, language_code=code)
    await resident.command("/rank")
    await resident.wait_for(shown(t, "rank.not_for_you"))

    # a forged press: another street's board (not the volunteer's)
    answer = await v2.press_data(board.message_id, f"rk:0:1:0:{other.id}:0")
    assert answer.text == t.plain("error.not_allowed")
