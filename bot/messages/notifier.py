"""The services' :class:`~bot.services.kernel.notify.Notifier`, in words: each notice is
built by its step's builder in its reader's language (their Translator, times in the
configured timezone) and queued through the :class:`Scheduler` under the notice's key,
in the caller's transaction. Wired where the services are built."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import get_translator
from bot.messages import (
    broadcasts,
    grabs,
    people,
    points,
    ratings,
    recognition,
    requests,
    rewards,
    service_day,
)
from bot.messages.common import Builder
from bot.services.kernel.notify import Notice
from bot.services.kernel.scheduling import Outgoing, Scheduler

# notice type → its builder, one table per step
BUILDERS: dict[type, Builder] = {
    **people.BUILDERS,
    **requests.BUILDERS,
    **grabs.BUILDERS,
    **service_day.BUILDERS,
    **rewards.BUILDERS,
    **points.BUILDERS,
    **ratings.BUILDERS,
    **broadcasts.BUILDERS,
    **recognition.BUILDERS,
}


class MessageNotifier:
    def __init__(self, scheduler: Scheduler, timezone: str) -> None:
        self.scheduler = scheduler
        self.timezone = timezone

    def message(self, notice: Notice) -> Outgoing:
        """``notice`` as its reader reads it."""
        build = BUILDERS.get(type(notice))
        if build is None:
            raise LookupError(f"no message for the notice {type(notice).__name__}")
        return build(notice, get_translator(notice.to.language), self.timezone)

    async def notify(
        self, session: AsyncSession, notice: Notice, at: datetime | None = None
    ) -> bool:
        return await self.scheduler.enqueue(session, notice.key, self.message(notice), at)

    async def notify_many(self, session: AsyncSession, notices: Sequence[Notice]) -> None:
        await self.scheduler.enqueue_many(session, [(n.key, self.message(n)) for n in notices])
