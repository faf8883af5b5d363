"""Notices about the service (实践服务) itself: no-shows, automatic check-outs, the
hours served and corrected (bot/services/service_day/check_in.py, service_jobs.py,
service_records.py)."""

from __future__ import annotations

from bot import callback_data
from bot.i18n import get_translator
from bot.services.kernel.dto import OrderDTO, Recipient
from bot.services.kernel.scheduling import Outgoing
from bot.services.notices.common import hours, local_time, press_button


def no_show_volunteer(volunteer: Recipient, order: OrderDTO, claim_id: int) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    return f"claim.no_show:{claim_id}", Outgoing(
        chat_id=volunteer.telegram_id, text=tr("attendance.told_no_show", number=order.number)
    )


def no_show_coordinator(
    coordinator: Recipient, order: OrderDTO, claim_id: int, name: str, timezone: str
) -> tuple[str, Outgoing]:
    tr = get_translator(coordinator.language)
    button = press_button(
        tr.plain("attendance.button_view_order", number=order.number),
        callback_data.ORDER_ATTENDANCE,
        order.id,
    )
    return f"claim.no_show:{claim_id}:{coordinator.telegram_id}", Outgoing(
        chat_id=coordinator.telegram_id,
        text=tr(
            "attendance.told_no_show_coordinator",
            number=order.number,
            name=name,
            start=local_time(order.starts_at, timezone),
        ),
        buttons=((button,),),
    )


def auto_checked_out(
    volunteer: Recipient, order: OrderDTO, claim_id: int, minutes: int
) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    return f"claim.auto_checkout:{claim_id}", Outgoing(
        chat_id=volunteer.telegram_id,
        text=tr.ngettext(
            "attendance.told_auto_checked_out",
            minutes,
            number=order.number,
            minutes=minutes,
            hours=hours(minutes),
        ),
    )


def service_completed(
    volunteer: Recipient, order: OrderDTO, claim_id: int, minutes: int
) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    return f"order.completed:{order.id}:{claim_id}", Outgoing(
        chat_id=volunteer.telegram_id,
        text=tr.ngettext(
            "attendance.told_completed",
            minutes,
            number=order.number,
            minutes=minutes,
            hours=hours(minutes),
        ),
    )


def hours_corrected(
    volunteer: Recipient, order: OrderDTO, claim_id: int, minutes: int, reason: str, event: int
) -> tuple[str, Outgoing]:
    tr = get_translator(volunteer.language)
    return f"claim.hours_corrected:{claim_id}:{event}", Outgoing(
        chat_id=volunteer.telegram_id,
        text=tr.ngettext(
            "attendance.told_corrected",
            minutes,
            number=order.number,
            minutes=minutes,
            hours=hours(minutes),
            reason=reason,
        ),
    )
