"""Points are exact tenths: earned from minutes and a rate, rounded half up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.services.kernel.errors import InvalidValue
from bot.services.points.amounts import earned, points, tenths


@pytest.mark.parametrize(
    ("minutes", "rate", "rounding", "expected"),
    [
        (60, 3, "half", 30),  # the article: 1 hour = 3 points
        (90, 3, "half", 45),
        (50, 3, "half", 25),  # 2.5 exactly
        (55, 3, "half", 30),  # 2.75 → 3.0 (half up)
        (45, 3, "half", 25),  # 2.25 → 2.5 (half up)
        (44, 3, "half", 20),  # 2.2 → 2.0
        (55, 3, "tenth", 28),  # 2.75 → 2.8
        (55, 3, "whole", 30),
        (20, 3, "whole", 10),  # 1.0
        (10, 3, "whole", 10),  # 0.5 → 1 (half up)
        (60, 0.1, "tenth", 1),
        (0, 3, "half", 0),
        (-5, 3, "half", 0),
    ],
)
def test_earned_points_round_half_up_to_the_step(
    minutes: int, rate: float, rounding: str, expected: int
) -> None:
    assert earned(minutes, rate, rounding) == expected  # type: ignore[arg-type]


def test_points_typed_as_decimals_become_tenths() -> None:
    assert tenths("2.5") == 25
    assert tenths("-1,5") == -15
    assert tenths(3) == 30
    assert points(45) == Decimal("4.5")
    assert str(points(30)) == "3"
    assert str(points(-15)) == "-1.5"


@pytest.mark.parametrize("bad", ["1.25", "abc", "nan", "inf", ""])
def test_points_that_are_not_tenths_are_refused(bad: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        tenths(bad, "adjustment")
    assert caught.value.field == "adjustment"
