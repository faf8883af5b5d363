"""The points bank's service, one object of its use cases (each in its own module)."""

from __future__ import annotations

from bot.services.points.adjust import Adjusting
from bot.services.points.bonus import Bonus
from bot.services.points.earning import Earning
from bot.services.points.passbook import Passbook
from bot.services.points.transfers import Transfers


class PointsService(Earning, Bonus, Adjusting, Transfers, Passbook):
    """Earning (subscribed to completion and corrections), bonuses, coordinators'
    adjustments, transfers, and the volunteer's passbook and summary."""
