"""What every service of the order loop holds: the database, the clock, the scheduler
(to tell people and plan work in the caller's transaction), and how to speak to
people (the default language, the timezone their times are shown in)."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from bot.services.kernel.clock import Clock
from bot.services.kernel.scheduling import Scheduler
from storage.database import Database


@dataclass(eq=False)
class LoopService:
    db: Database
    clock: Clock
    scheduler: Scheduler
    _: KW_ONLY
    default_language: str
    timezone: str
