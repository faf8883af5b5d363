"""Words of the 评单 (bot/services/ratings/notices.py): the prompt with its rows of
stars (also as the handler shows it after each press), the reminder, the prompt
closed, the comment question, the coordinators' alert of a low rating, and ratings as
volunteers (their average) and coordinators (stars and the comment) see them."""

from __future__ import annotations

from bot import callback_data
from bot.i18n import Markup, Translator
from bot.messages.common import Builder, local_time, press_button
from bot.messages.service_day import view_order_button
from bot.services.kernel.scheduling import PRIORITY_NOTICE, Button, Outgoing
from bot.services.ratings.common import PromptView
from bot.services.ratings.notices import LowRating, RatingAsked, RatingClosed
from bot.services.ratings.rating import TEAM_ROW
from bot.services.ratings.views import RatingSummary

LABEL = 0  # the stars part of a row's name button: it only explains


def stars(n: int) -> str:
    """``2`` → ``★★☆☆☆``."""
    return "★" * n + "☆" * (5 - n)


def _rows(tr: Translator, view: PromptView) -> list[Markup]:
    if view.team:
        given = view.team_stars
        return [
            tr(
                "rating.row_team",
                count=len(view.places),
                stars=stars(given) if given else tr.plain("rating.unrated"),
            )
        ]
    return [
        tr(
            "rating.row",
            n=n,
            name=p.name,
            stars=stars(p.stars) if p.stars else tr.plain("rating.unrated"),
        )
        for n, p in enumerate(view.places, start=1)
    ]


def prompt_text(tr: Translator, view: PromptView, timezone: str, *, reminder: bool = False) -> str:
    order = view.order
    parts: list[str] = [tr("rating.remind" if reminder else "rating.ask", number=order.number)]
    if view.on_behalf:
        parts.append(tr("rating.on_behalf", name=view.on_behalf))
    parts.append("\n".join(_rows(tr, view)))
    parts.append(tr("rating.how", until=local_time(view.expires_at, timezone)))
    return "\n\n".join(parts)


def prompt_buttons(tr: Translator, view: PromptView) -> tuple[tuple[Button, ...], ...]:
    """One row per volunteer still unrated (their name, then 1–5 stars), or the team's."""

    def row(label: str, claim_id: int) -> tuple[Button, ...]:
        name = press_button(label, callback_data.RATE, view.id, claim_id, LABEL)
        return (
            name,
            *(press_button(f"{n}★", callback_data.RATE, view.id, claim_id, n) for n in range(1, 6)),
        )

    if view.team:
        if view.team_stars is not None:
            return ()
        return (row(tr.plain("rating.button_team", count=len(view.places)), TEAM_ROW),)
    return tuple(
        row(f"{n}. {p.name}", p.claim_id)
        for n, p in enumerate(view.places, start=1)
        if p.stars is None
    )


def rated_text(tr: Translator, view: PromptView) -> str:
    """Every row rated: the stars given (the comment question follows)."""
    return "\n\n".join(
        [tr("rating.all_rated", number=view.order.number), "\n".join(_rows(tr, view))]
    )


def closed_text(tr: Translator, view: PromptView, expired: bool) -> str:
    key = "rating.closed_expired" if expired else "rating.closed_done"
    parts = [tr(key, number=view.order.number), "\n".join(_rows(tr, view))]
    if view.comment:
        parts.append(tr("rating.comment_line", comment=view.comment))
    return "\n\n".join(parts)


def rating_asked(n: RatingAsked, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=n.view.order.requester_id,
        text=prompt_text(tr, n.view, timezone, reminder=n.reminder),
        buttons=prompt_buttons(tr, n.view),
        priority=PRIORITY_NOTICE,
    )


def rating_closed(n: RatingClosed, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=n.view.order.requester_id,
        text=closed_text(tr, n.view, n.expired),
        kind="edit",
        edit_message_id=n.message_id,
        priority=PRIORITY_NOTICE,
    )


def low_rating(n: LowRating, tr: Translator, timezone: str) -> Outgoing:
    view, order = n.view, n.view.order
    if view.team:
        lines = [tr("rating.alert_team", count=len(view.places), stars=stars(n.low[0][1]))]
    else:
        lines = [tr("rating.alert_row", name=name, stars=stars(s), n=s) for name, s in n.low]
    parts = [
        tr("rating.alert", number=order.number, start=local_time(order.starts_at, timezone)),
        "\n".join(lines),
        tr("rating.comment_line", comment=view.comment)
        if view.comment
        else tr("rating.no_comment"),
    ]
    button = view_order_button(tr, order)
    return Outgoing(
        chat_id=n.to.telegram_id,
        text="\n\n".join(parts),
        buttons=((button,),),
        priority=PRIORITY_NOTICE,
    )


def summary_text(tr: Translator, summary: RatingSummary) -> Markup:
    """A volunteer's average and count (their /me; a coordinator's view of their record)."""
    if summary.average is None:
        return tr("rating.summary_none")
    return tr.ngettext(
        "rating.summary", summary.count, average=f"{summary.average:.1f}", count=summary.count
    )


BUILDERS: dict[type, Builder] = {
    RatingAsked: rating_asked,
    RatingClosed: rating_closed,
    LowRating: low_rating,
}
