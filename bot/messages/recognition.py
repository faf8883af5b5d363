"""Words of the leaderboards (积分参赛, bot/services/recognition/rankings.py): a board —
its scope, period and measure, the ranked rows (🥇🥈🥉 for the first three ranks), the
reader's own place — and the team totals."""

from __future__ import annotations

from bot.i18n import Markup, Translator
from bot.messages.common import Builder, hours, points_text
from bot.services.kernel.scheduling import Outgoing
from bot.services.recognition.rankings import Board, GroupBoard, Where
from bot.services.recognition.stars import StarReached, Stars, VolunteerStarReached

MEDALS = {1: "🥇 ", 2: "🥈 ", 3: "🥉 "}


def figure_text(tr: Translator, metric: str, figure: int) -> Markup:
    if metric == "hours":
        return tr("rank.figure_hours", hours=hours(figure))
    return tr("rank.figure_points", points=points_text(figure))


def metric_label(tr: Translator, metric: str) -> str:
    return tr.plain(f"rank.metric_{metric}")


def period_label(tr: Translator, period: str) -> str:
    return tr.plain(f"rank.period_{period}")


def groups_label(tr: Translator, kind: str) -> str:
    """The button of a kind of team totals."""
    return tr.plain(f"rank.button_groups_{kind}")


def where_name(tr: Translator, where: Where) -> str:
    named = where.team or where.unit
    return named.name(tr.language) if named is not None else ""


def _title(tr: Translator, what: str, metric: str, period: str, since: object) -> Markup:
    title = tr(
        "rank.title",
        where=what,
        period=period_label(tr, period),
        metric=metric_label(tr, metric),
    )
    if since is not None:
        title = Markup(f"{title}\n{tr('rank.since', since=f'{since:%Y-%m-%d}')}")
    return title


def _medal(rank: int) -> str:
    return MEDALS.get(rank, "")


def board_text(tr: Translator, b: Board) -> Markup:
    """The board: its title, its rows (the reader's own in bold), and their place."""
    lines = [_title(tr, where_name(tr, b.where), b.metric, b.period, b.since)]
    if not b.rows:
        lines.append(tr("rank.empty"))
    for r in b.rows:
        row = tr(
            "rank.row",
            medal=_medal(r.rank),
            rank=r.rank,
            name=f"{r.name} {stars_mark(r.stars)}".rstrip(),
            figure=figure_text(tr, b.metric, r.figure),
        )
        lines.append(Markup(f"<b>{row}</b>") if r.mine else row)
    if b.full and b.pages > 1:
        lines.append(tr("rank.page", page=b.page + 1, pages=b.pages))
    if b.mine is not None:
        lines.append(
            tr.ngettext(
                "rank.mine",
                b.total,
                rank=b.mine.rank,
                figure=figure_text(tr, b.metric, b.mine.figure),
                total=b.total,
            )
        )
    elif not b.full:
        lines.append(tr("rank.mine_none"))
    return Markup("\n".join([lines[0], "", *lines[1:]]))


def groups_text(tr: Translator, g: GroupBoard) -> Markup:
    """Team totals: each community (of a street), street or specialty team, its total and
    how many of its volunteers count; the reader's own in bold."""
    within = g.within.name(tr.language) if g.within is not None else ""
    what = tr.plain(f"rank.groups_{g.kind}", within=within)
    lines = [_title(tr, what, g.metric, g.period, g.since)]
    if not g.rows:
        lines.append(tr("rank.empty"))
    for r in g.rows:
        row = tr.ngettext(
            "rank.group_row",
            r.members,
            medal=_medal(r.rank),
            rank=r.rank,
            name=r.name.name(tr.language),
            figure=figure_text(tr, g.metric, r.figure),
            members=r.members,
        )
        lines.append(Markup(f"<b>{row}</b>") if r.mine else row)
    return Markup("\n".join([lines[0], "", *lines[1:]]))


# ---- star levels (星级志愿者) ------------------------------------------------------------


def stars_mark(level: int) -> str:
    return "★" * level


def stars_line(tr: Translator, s: Stars) -> Markup:
    """/me, /points: the level and what the next one needs."""
    now = hours(s.minutes)
    if s.level == 0:
        assert s.next_hours is not None
        return tr("stars.none", hours=now, next=s.next_hours)
    if s.next_hours is None:
        return tr("stars.top", mark=stars_mark(s.level), hours=now)
    left = hours(max(s.next_hours * 60 - s.minutes, 0))
    return tr(
        "stars.level",
        mark=stars_mark(s.level),
        hours=now,
        left=left,
        next_mark=stars_mark(s.level + 1),
    )


def star_reached(n: StarReached, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=n.volunteer_id,
        text=tr("stars.reached", mark=stars_mark(n.level), hours=n.hours, total=hours(n.minutes)),
    )


def volunteer_star_reached(n: VolunteerStarReached, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr(
            "stars.reached_coordinator",
            name=n.name,
            community=n.community.name(tr.language),
            mark=stars_mark(n.level),
            hours=n.hours,
        ),
    )


BUILDERS: dict[type, Builder] = {
    StarReached: star_reached,
    VolunteerStarReached: volunteer_star_reached,
}
