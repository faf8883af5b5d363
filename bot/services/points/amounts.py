"""Points as exact whole tenths (3 points = 30): earned points from verified minutes and
a rate, rounded half up as ``[points] rounding`` says; points typed or configured as
decimals turned into tenths. Never a float in the ledger."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from bot.services.kernel.dto import OrderDTO
from bot.services.kernel.errors import InvalidValue

Rounding = Literal["tenth", "half", "whole"]

TENTHS_PER_POINT = 10
# the step each rounding rounds to, in tenths
STEP: dict[Rounding, int] = {"tenth": 1, "half": 5, "whole": 10}


def earned(minutes: int, rate: float, rounding: Rounding = "half") -> int:
    """The tenths ``minutes`` of service earn at ``rate`` points an hour: minutes × rate
    ÷ 60, rounded half up to the rounding's step (90 minutes at 3 = 45 tenths)."""
    if minutes <= 0:
        return 0
    # the rate as it was written (0.1 stays 0.1, not 0.1000000000000000055…)
    tenths = Decimal(minutes) * Decimal(str(rate)) * TENTHS_PER_POINT / 60
    step = STEP[rounding]
    steps = (tenths / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(steps) * step


def tenths(value: float | str | Decimal, field: str = "points") -> int:
    """A number of points (3, 2.5, "-1.5") as tenths; more than one decimal place, or not
    a number, is :class:`InvalidValue` for ``field``."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidValue(field, "not_a_number") from None
    if not number.is_finite():
        raise InvalidValue(field, "not_a_number")
    scaled = number * TENTHS_PER_POINT
    if scaled != scaled.to_integral_value():
        raise InvalidValue(field, "tenths")
    return int(scaled)


def points(amount: int) -> Decimal:
    """Tenths back as points, for display: 45 → Decimal("4.5"), 30 → Decimal("3")."""
    value = Decimal(amount) / TENTHS_PER_POINT
    return value.quantize(Decimal(1)) if amount % TENTHS_PER_POINT == 0 else value


def window_points(order: OrderDTO, default_rate: float, rounding: Rounding = "half") -> int:
    """What a place on ``order`` brings for its whole window at its rate (else
    ``default_rate``), in tenths: what the order card and the announcement say."""
    minutes = int((order.ends_at - order.starts_at).total_seconds() // 60)
    rate = order.points_rate if order.points_rate is not None else default_rate
    return earned(minutes, rate, rounding)
