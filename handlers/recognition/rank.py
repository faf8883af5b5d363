"""/rank — the leaderboards (积分参赛). One message, edited in place by its buttons:
hours or points; this week, month, year or all time; the boards the reader may open
(their community, street, the district, their specialty teams; a coordinator's unit,
paged ◀ ▶, with full names); and the team totals (the communities of their street,
the streets of the district, the specialty teams). Every press is checked again by the
service against the presser's rights now."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.messages.recognition import (
    board_text,
    groups_label,
    groups_text,
    metric_label,
    period_label,
    where_name,
)
from bot.services.recognition.rankings import GROUP_KINDS, METRICS, PERIODS, Where
from handlers.common import Reply, answer, domain_errors, me, pressed_ids, services, tr

RANK = callbacks.RANK  # rk:<metric>:<period>:<view>:<id>:<page>
UNIT, TEAM, GROUPS = 0, 1, 2  # views: a unit's board, a team's, team totals (id: the kind)
CURRENT = "✅ "


def _data(metric: int, period: int, view: int, ident: int, page: int = 0) -> str:
    return callbacks.encode(RANK, metric, period, view, ident, page)


def _keyboard(
    context: ContextTypes.DEFAULT_TYPE,
    choices: list[Where],
    metric: int,
    period: int,
    view: int,
    ident: int,
    page_row: list[InlineKeyboardButton],
) -> InlineKeyboardMarkup:
    t = tr(context)

    def button(label: str, data: str, current: bool) -> InlineKeyboardButton:
        return InlineKeyboardButton((CURRENT if current else "") + label, callback_data=data)

    rows = [
        [
            button(metric_label(t, m), _data(i, period, view, ident), i == metric)
            for i, m in enumerate(METRICS)
        ],
        [
            button(period_label(t, p), _data(metric, i, view, ident), i == period)
            for i, p in enumerate(PERIODS)
        ],
    ]
    boards = []
    for where in choices:
        kind = TEAM if where.team else UNIT
        key = where.key[1]
        boards.append(
            button(
                where_name(t, where),
                _data(metric, period, kind, key),
                view == kind and ident == key,
            )
        )
    rows += [boards[i : i + 2] for i in range(0, len(boards), 2)]
    rows.append(
        [
            button(
                groups_label(t, g),
                _data(metric, period, GROUPS, i),
                view == GROUPS and ident == i,
            )
            for i, g in enumerate(GROUP_KINDS)
        ]
    )
    if page_row:
        rows.insert(0, page_row)
    return InlineKeyboardMarkup(rows)


async def show(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    metric: int,
    period: int,
    view: int,
    ident: int | None,
    page: int = 0,
) -> None:
    rankings = services(context).rankings
    user = me(context)
    choices = await rankings.choices(user)
    if not choices:  # a resident: no board of theirs
        await Reply(update, context).send(tr(context)("rank.not_for_you"))
        return
    m, p = METRICS[metric], PERIODS[period]
    page_row: list[InlineKeyboardButton] = []
    if view == GROUPS:
        assert ident is not None
        groups = await rankings.groups(user, m, p, GROUP_KINDS[ident])
        text = groups_text(tr(context), groups)
    else:
        if ident is None:  # the first board: theirs
            first = choices[0]
            view, ident = (TEAM if first.team else UNIT), first.key[1]
        kind = "t" if view == TEAM else "u"
        board = await rankings.board(user, m, p, kind, ident, page)
        text = board_text(tr(context), board)
        if board.full and board.page > 0:
            page_row.append(
                InlineKeyboardButton(
                    "◀", callback_data=_data(metric, period, view, ident, board.page - 1)
                )
            )
        if board.full and board.page + 1 < board.pages:
            page_row.append(
                InlineKeyboardButton(
                    "▶", callback_data=_data(metric, period, view, ident, board.page + 1)
                )
            )
    markup = _keyboard(context, choices, metric, period, view, ident, page_row)
    await Reply(update, context).edit_or_send(text, markup)


@domain_errors
async def rank_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show(update, context, 0, PERIODS.index("month"), UNIT, None)


@domain_errors
async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The board pressed for, shown (its rights checked first: a refusal is the press's
    alert), then the press answered."""
    metric, period, view, pressed, page = pressed_ids(update, RANK, 5)
    ident: int | None = pressed
    if metric >= len(METRICS) or period >= len(PERIODS) or view > GROUPS:  # not ours
        metric, period, view, ident, page = 0, PERIODS.index("month"), UNIT, None, 0
    elif view == GROUPS and pressed >= len(GROUP_KINDS):
        ident = 0
    await show(update, context, metric, period, view, ident, page)
    await answer(update)


HANDLERS = [
    CommandHandler("rank", rank_command),
    CallbackQueryHandler(on_press, pattern=callbacks.pattern(RANK)),
]
