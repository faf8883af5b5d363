"""Records and hours: a volunteer's record (services, minutes, late cancellations,
no-shows), as they and their coordinators see it, and a coordinator's correction of
the minutes a finished place counts (audited, with a reason; the volunteer is told).
"""

from __future__ import annotations

from bot.services.kernel.dto import UserDTO
from bot.services.kernel.errors import InvalidValue, NotFinished, NotFound
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.orders import order_dto, scoped_order
from bot.services.kernel.scope import require_coordinator, require_scope
from bot.services.kernel.validation import free_text
from bot.services.people.recipients import recipient
from bot.services.service_day.common import (
    DONE,
    NO_SHOW,
    Attendance,
    AttendanceBase,
    Record,
    _attendance,
    _record,
)
from bot.services.service_day.notices import HoursCorrected
from storage.repositories import attendance as attendance_repo
from storage.repositories import audit as audit_repo
from storage.repositories import claims as claims_repo
from storage.repositories import org as org_repo
from storage.repositories import volunteers as volunteers_repo

MAX_MINUTES = 24 * 60
REASON_MAX = 500


def check_minutes(minutes: int) -> int:
    """A claim's minutes as a coordinator sets them: 0 … MAX_MINUTES."""
    if not 0 <= minutes <= MAX_MINUTES:
        raise InvalidValue("minutes", "range", min=0, max=MAX_MINUTES)
    return minutes


class ServiceRecords(AttendanceBase):
    """Volunteers' records, and corrections of their minutes."""

    async def my_record(self, volunteer: UserDTO) -> Record:
        async with self.db.read() as session:
            rows = await attendance_repo.records(session, [volunteer.id])
        return _record(rows[volunteer.id])

    async def record(self, actor: UserDTO, volunteer_id: int) -> Record:
        """A volunteer's record, for a coordinator of a unit at or above their community."""
        require_coordinator(actor)
        async with self.db.read() as session:
            profile = await volunteers_repo.profile(session, volunteer_id)
            if profile is None:
                raise NotFound("volunteer")
            unit = await org_repo.unit(session, profile.community_id)
            assert unit is not None
            require_scope(actor, unit.path)
            rows = await attendance_repo.records(session, [volunteer_id])
        return _record(rows[volunteer_id])

    async def correctable(self, actor: UserDTO, claim_id: int) -> Attendance:
        """The claim a coordinator may correct (checked before the correction flow)."""
        async with self.db.read() as session:
            claim = await claims_repo.get(session, claim_id)
            if claim is None:
                raise NotFound("claim")
            order = await scoped_order(session, actor, claim.order_id)
            if claim.state not in (DONE, NO_SHOW):
                raise NotFinished(claim.state)
            (row,) = [
                r
                for r in await attendance_repo.claims_with_names(session, order.id, (claim.state,))
                if r[0].id == claim.id
            ]
            return _attendance(claim, order_dto(order), row[1])

    async def correct_hours(
        self,
        actor: UserDTO,
        claim_id: int,
        minutes: int,
        reason: str,
        *,
        draft_of: int | None = None,
    ) -> Attendance:
        """Set a finished claim's minutes (0 … 1440) with a reason; audited, the
        volunteer told. A no-show given minutes becomes done (they did come)."""
        text = free_text(reason, "reason", REASON_MAX)
        check_minutes(minutes)
        require_coordinator(actor)
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            claim = await claims_repo.get(session, claim_id)
            if claim is None:
                raise NotFound("claim")
            order = await scoped_order(session, actor, claim.order_id, lock=True)
            claim = await claims_repo.get(session, claim_id)
            assert claim is not None
            if claim.state not in (DONE, NO_SHOW):
                raise NotFinished(claim.state)
            before, state = claim.minutes, claim.state
            new_state = DONE if state == DONE or minutes > 0 else NO_SHOW
            await claims_repo.set_state(
                session,
                claim.id,
                state,
                state=new_state,
                minutes=minutes,
                minutes_corrected=True,
            )
            event = await audit_repo.record(
                session,
                action="claim.correct_hours",
                actor_id=actor.id,
                unit_id=order.community_id,
                target_kind="claim",
                target_id=claim.id,
                detail={
                    "order": order.id,
                    "from": before,
                    "to": minutes,
                    "state_from": state,
                    "state_to": new_state,
                    "reason": text,
                },
            )
            to = await recipient(session, claim.volunteer_id, self.default_language)
            notice = HoursCorrected(to, order_dto(order), claim.id, minutes, text, event)
            await self.notifier.notify(session, notice)
            for hook in self.on_corrected:
                await hook(session, claim.id, event)
            if new_state != state:
                await self._after_place_freed(session, order.id)
            return await self._fresh(session, claim.id)
