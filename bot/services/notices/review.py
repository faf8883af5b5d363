"""Notices to coordinators about requests: one to review, and one still unfilled as
its start comes near (escalation, 三级阵地: bot/services/requests/escalation.py)."""

from __future__ import annotations

from bot import callback_data
from bot.i18n import get_translator
from bot.services.kernel.dto import OrderDTO, Recipient
from bot.services.kernel.scheduling import Button, Outgoing
from bot.services.notices.common import local_time, press_button


def review_requested(
    coordinator: Recipient,
    order: OrderDTO,
    category: str,
    community: str,
    timezone: str,
    *,
    level: str | None = None,
    hours: float | None = None,
) -> tuple[str, Outgoing]:
    """A request waiting for review, with a button that opens it: to the community's
    coordinators when it comes in, or (``level`` street/district, ``hours`` late) to
    those above when nobody reviewed it in time."""
    tr = get_translator(coordinator.language)
    button = press_button(
        tr.plain("escalation.button_review", number=order.number),
        callback_data.REVIEW_ORDER,
        order.id,
    )
    values = {
        "number": order.number,
        "category": category,
        "community": community,
        "start": local_time(order.starts_at, timezone),
    }
    if level is None:
        key, text = (
            f"order.requested:{order.id}:{coordinator.telegram_id}",
            tr("review.new_request", **values),
        )
    else:
        key = f"order.overdue:{order.id}:{level}:{coordinator.telegram_id}"
        text = tr("escalation.overdue", hours=f"{hours:g}", **values)
    return key, Outgoing(chat_id=coordinator.telegram_id, text=text, buttons=((button,),))


def order_unfilled(
    coordinator: Recipient, order: OrderDTO, community: str, widen: bool, timezone: str
) -> tuple[str, Outgoing]:
    """An open order still short of volunteers, to its coordinators; the button
    announces it to the whole street (only while it is announced to its community)."""
    tr = get_translator(coordinator.language)
    buttons: tuple[tuple[Button, ...], ...] = ()
    if widen:
        buttons = (
            (press_button(tr.plain("escalation.button_widen"), callback_data.WIDEN, order.id),),
        )
    return f"order.unfilled:{order.id}:{coordinator.telegram_id}", Outgoing(
        chat_id=coordinator.telegram_id,
        text=tr(
            "escalation.unfilled",
            number=order.number,
            community=community,
            start=local_time(order.starts_at, timezone),
            taken=order.taken,
            places=order.places,
        ),
        buttons=buttons,
    )
