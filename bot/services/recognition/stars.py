"""星级志愿者 — star levels by cumulative verified hours (``[recognition] star_hours``,
★ 100 h … ★★★★★ 1500 h by default): the level is computed from the hours as they are
now (a correction that takes hours away lowers it), and reaching a level is announced
to the volunteer and the coordinators of their community (the nearest unit above it
that has any) once: ``volunteer_profiles.stars_announced`` keeps the highest level told,
raised by one conditional UPDATE in the transaction that brought the hours (an order's
completion, an hours correction), so neither a retried job, a restart, two processes
nor a level lost and reached again announces it twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import OrderDTO
from bot.services.kernel.notify import Notice
from bot.services.org.units import unit_dto
from bot.services.people.recipients import nearest_coordinators, recipient
from bot.services.recognition.notices import StarReached, VolunteerStarReached
from storage.repositories import claims as claims_repo
from storage.repositories import org as org_repo
from storage.repositories import passbook as passbook_repo
from storage.repositories import stars as stars_repo


@dataclass(frozen=True)
class Stars:
    """A volunteer's star level now, their verified minutes, and the hours of the next
    level (None: the top one reached)."""

    level: int
    minutes: int
    next_hours: int | None


def level_for(minutes: int, star_hours: Sequence[int]) -> int:
    """The star level of ``minutes`` of verified service: how many thresholds it reaches."""
    return sum(1 for hours in star_hours if minutes >= hours * 60)


@dataclass(eq=False)
class StarService(LoopService):
    star_hours: tuple[int, ...] = (100, 300, 600, 1000, 1500)

    def level(self, minutes: int) -> int:
        return level_for(minutes, self.star_hours)

    async def levels(self, session: AsyncSession, user_ids: Sequence[int]) -> dict[int, int]:
        """user id → their star level now (0: none yet)."""
        totals = await passbook_repo.minutes_of(session, user_ids)
        return {uid: self.level(totals.get(uid, 0)) for uid in user_ids}

    async def standing(self, user_id: int) -> Stars:
        """/me and /points: their level, hours and what the next level needs."""
        async with self.db.read() as session:
            minutes = (await passbook_repo.minutes_of(session, [user_id])).get(user_id, 0)
        level = self.level(minutes)
        following = self.star_hours[level] if level < len(self.star_hours) else None
        return Stars(level, minutes, following)

    # ---- subscribers (bot/container.py wires them to attendance) ------------------
    async def on_completed(self, session: AsyncSession, order: OrderDTO) -> None:
        served = await passbook_repo.served_places(session, order.id)
        await self.check(session, sorted({volunteer for _, volunteer, _ in served}))

    async def on_corrected(self, session: AsyncSession, claim_id: int, audit_id: int) -> None:
        claim = await claims_repo.get(session, claim_id)
        if claim is not None:
            await self.check(session, [claim.volunteer_id])

    async def check(self, session: AsyncSession, volunteer_ids: Sequence[int]) -> int:
        """Announce each new level the volunteers reached (once); how many were."""
        totals = await passbook_repo.minutes_of(session, volunteer_ids)
        told = 0
        for volunteer_id in volunteer_ids:
            minutes = totals.get(volunteer_id, 0)
            level = self.level(minutes)
            if level == 0 or not await stars_repo.raise_announced(session, volunteer_id, level):
                continue
            told += 1
            threshold = self.star_hours[level - 1]
            to = await recipient(session, volunteer_id, self.default_language)
            notices: list[Notice] = [StarReached(to, volunteer_id, level, threshold, minutes)]
            profile = await stars_repo.profile(session, volunteer_id)
            community = await org_repo.unit(session, profile.community_id) if profile else None
            if profile is not None and community is not None:
                for coordinator in await nearest_coordinators(
                    session, community.path, self.default_language
                ):
                    notices.append(
                        VolunteerStarReached(
                            coordinator,
                            volunteer_id,
                            profile.real_name,
                            unit_dto(community),
                            level,
                            threshold,
                        )
                    )
            for notice in notices:
                await self.notifier.notify(session, notice)
        return told
