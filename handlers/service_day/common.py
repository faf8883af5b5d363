"""What the volunteer's places (handlers/service_day/myplaces.py), the coordinator's
order view (handlers/service_day/order_view.py) and the correction of hours
(handlers/service_day/correct_hours.py) share:
the names of a claim's states, the volunteer's record, the timezone, a flow's end."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from telegram.ext import ContextTypes

from bot.i18n import Markup, Translator
from bot.messages.common import hours
from bot.services.kernel.states import ClaimState
from bot.services.service_day.common import Record
from handlers.common import services
from handlers.flows.turn import Turn

S = TypeVar("S", bound=StrEnum)

CLAIM_STATES = {
    ClaimState.CLAIMED: "attendance.state_claimed",
    ClaimState.CHECKED_IN: "attendance.state_checked_in",
    ClaimState.DONE: "attendance.state_done",
    ClaimState.NO_SHOW: "attendance.state_no_show",
}


def timezone_of(context: ContextTypes.DEFAULT_TYPE) -> str:
    return services(context).attendance.timezone


def state_name(t: Translator, names: Mapping[S, str], state: S) -> str:
    return t.plain(names[state]) if state in names else state


def record_text(t: Translator, record: Record) -> Markup:
    return t.ngettext(
        "attendance.record",
        record.services,
        services=record.services,
        hours=hours(record.minutes),
        late=record.late_cancels,
        no_shows=record.no_shows,
    )


async def finished(turn: Turn) -> None:
    await turn.finish()
