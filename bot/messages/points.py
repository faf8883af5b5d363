"""The points bank (公益银行) in words: what volunteers are told (points earned, a bonus,
an adjustment, points received), the passbook's lines, the /points summary, and what a
place brings, as the announcement and the order views say it."""

from __future__ import annotations

from bot.i18n import Markup, Translator
from bot.messages.common import Builder, hours, local_time, points_text
from bot.services.kernel.dto import OrderDTO
from bot.services.kernel.scheduling import Outgoing
from bot.services.points.notices import BonusEarned, PointsAdjusted, PointsEarned, PointsReceived
from bot.services.points.passbook import Entry, Period, Summary
from storage.enums import MovementKind


def place_brings(tr: Translator, order: OrderDTO, amount: int, default_rate: float) -> Markup:
    """ "Each place brings 6 points (3 points an hour)"."""
    rate = order.points_rate if order.points_rate is not None else default_rate
    return tr("points.place_brings", points=points_text(amount), rate=f"{rate:g}")


# ---- notices ---------------------------------------------------------------------------


def points_earned(n: PointsEarned, tr: Translator, timezone: str) -> Outgoing:
    category = n.category.name(tr.language) if n.category else n.order.category
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr(
            "points.told_earned",
            number=n.order.number,
            category=category,
            hours=hours(n.minutes),
            points=points_text(n.amount),
            balance=points_text(n.balance),
        ),
    )


def bonus_earned(n: BonusEarned, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr(
            "points.told_bonus",
            number=n.order.number,
            points=points_text(n.amount, signed=True),
            balance=points_text(n.balance),
        ),
    )


def points_adjusted(n: PointsAdjusted, tr: Translator, timezone: str) -> Outgoing:
    values = {
        "points": points_text(n.amount, signed=True),
        "reason": n.reason,
        "balance": points_text(n.balance),
    }
    if n.order is None:
        text = tr("points.told_adjusted", **values)
    else:
        text = tr("points.told_corrected", number=n.order.number, **values)
    if n.short:
        text = Markup(f"{text}\n" + tr("points.told_short", short=points_text(n.short)))
    return Outgoing(chat_id=n.to.telegram_id, text=text)


def points_received(n: PointsReceived, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=tr(
            "points.told_received",
            name=n.sender_name,
            points=points_text(n.amount, signed=True),
            balance=points_text(n.balance),
        ),
    )


BUILDERS: dict[type, Builder] = {
    PointsEarned: points_earned,
    BonusEarned: bonus_earned,
    PointsAdjusted: points_adjusted,
    PointsReceived: points_received,
}


# ---- the passbook and the summary --------------------------------------------------------


def entry_what(tr: Translator, e: Entry) -> Markup:
    """What a passbook line was for."""
    category = e.category.name(tr.language) if e.category else ""
    if e.kind is MovementKind.EARN:
        return tr("passbook.what_earn", number=e.order_number or "", category=category)
    if e.kind is MovementKind.BONUS:
        return tr("passbook.what_bonus", number=e.order_number or "")
    if e.kind is MovementKind.ADJUST and e.order_number:
        return tr("passbook.what_correction", number=e.order_number, reason=e.reason or "")
    if e.kind is MovementKind.ADJUST:
        return tr("passbook.what_adjust", reason=e.reason or "")
    if e.kind is MovementKind.REDEEM:
        return tr("passbook.what_redeem", reward=e.reward or "")
    if e.kind is MovementKind.REFUND:
        return tr("passbook.what_refund", reward=e.reward or "")
    if e.fund is not None:
        return tr("passbook.what_to_fund", unit=e.fund.name(tr.language))
    key = "passbook.what_transfer_in" if e.amount > 0 else "passbook.what_transfer_out"
    return tr(key, name=e.other_name or "")


def entry_line(tr: Translator, e: Entry, timezone: str) -> Markup:
    return tr(
        "passbook.line",
        date=local_time(e.at, timezone)[:10],
        what=entry_what(tr, e),
        amount=points_text(e.amount, signed=True),
        balance=points_text(e.balance),
    )


def period_text(tr: Translator, key: str, p: Period) -> Markup:
    return tr(key, hours=hours(p.minutes), points=points_text(p.points))


def summary_text(tr: Translator, s: Summary) -> Markup:
    return tr(
        "points.summary",
        balance=points_text(s.balance),
        month=period_text(tr, "points.period_month", s.month),
        year=period_text(tr, "points.period_year", s.year),
        total=period_text(tr, "points.period_total", s.total),
    )
