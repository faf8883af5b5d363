"""What every service of the order loop holds: the database, the clock, the scheduler
(to plan work in the caller's transaction), the notifier (to tell people, in the same
transaction), and the default language (of people whose own is unknown) and the
timezone (of the days people pick)."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from bot.services.kernel.clock import Clock
from bot.services.kernel.notify import Notifier
from bot.services.kernel.scheduling import Scheduler
from storage.database import Database


@dataclass(eq=False)
class LoopService:
    db: Database
    clock: Clock
    scheduler: Scheduler
    notifier: Notifier
    _: KW_ONLY
    default_language: str
    timezone: str
