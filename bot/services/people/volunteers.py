"""Volunteer registration, profiles and their approval by coordinators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.clock import Clock
from bot.services.kernel.dto import Page, Recipient, UnitDTO, UserDTO, VolunteerDTO
from bot.services.kernel.errors import AlreadyDecided, InvalidValue, NotFound
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.notify import Notifier
from bot.services.kernel.paging import fetch_page
from bot.services.kernel.scope import require_coordinator, require_scope
from bot.services.kernel.validation import clean_name, normalize_phone
from bot.services.org.units import team_dto, unit_dto
from bot.services.people.notices import VolunteerDecided, VolunteerPending
from bot.services.people.recipients import nearest_coordinators
from bot.services.people.users import effective_language
from storage.database import Database
from storage.enums import ApprovalState, UnitKind
from storage.models import User, VolunteerProfile
from storage.repositories import audit as audit_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo
from storage.repositories import volunteers as volunteers_repo

PAGE_SIZE = 5


class _Keep:
    """Marks a field that ``update`` leaves as it is (None means "no grid")."""


KEEP = _Keep()


@dataclass(frozen=True)
class VolunteerForm:
    real_name: str
    phone: str
    community_id: int
    grid_id: int | None
    team_ids: tuple[int, ...]
    consent: bool
    phone_verified: bool = False  # Telegram's contact button shared the sender's own card


@dataclass(frozen=True)
class Registered:
    volunteer: VolunteerDTO
    notify: tuple[Recipient, ...]  # coordinators told (through the outbox)


@dataclass(frozen=True)
class Decision:
    volunteer: VolunteerDTO
    approved: bool


def _place(volunteer: VolunteerDTO) -> UnitDTO:
    """Where a volunteer belongs most narrowly: their grid, else their community."""
    return volunteer.grid or volunteer.community


class VolunteerService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        notifier: Notifier,
        *,
        require_approval: bool,
        default_language: str,
    ) -> None:
        self.db = db
        self.clock = clock
        self.notifier = notifier
        self.require_approval = require_approval
        self.default_language = default_language

    async def _dto(
        self, session: AsyncSession, profile: VolunteerProfile, user: User
    ) -> VolunteerDTO:
        community = await org_repo.unit(session, profile.community_id)
        grid = await org_repo.unit(session, profile.grid_id) if profile.grid_id else None
        teams = (await volunteers_repo.teams_of(session, [user.id]))[user.id]
        assert community is not None
        return VolunteerDTO(
            user_id=user.id,
            telegram_id=user.telegram_id,
            language=effective_language(user, self.default_language),
            real_name=profile.real_name,
            phone=profile.phone,
            phone_verified=profile.phone_verified,
            community=unit_dto(community),
            grid=unit_dto(grid) if grid else None,
            teams=tuple(team_dto(t) for t in teams),
            status=ApprovalState(profile.status),
            consent_at=profile.consent_at,
            created_at=profile.created_at,
        )

    async def _check_place(
        self, session: AsyncSession, community_id: int, grid_id: int | None
    ) -> None:
        community = await org_repo.unit(session, community_id)
        if community is None or community.kind != UnitKind.COMMUNITY.value:
            raise InvalidValue("community", "not_found")
        if grid_id is not None:
            grid = await org_repo.unit(session, grid_id)
            if grid is None or grid.parent_id != community_id:
                raise InvalidValue("grid", "not_found")

    async def _check_teams(self, session: AsyncSession, team_ids: Sequence[int]) -> None:
        known = {t.id for t in await org_repo.teams(session)}
        if not set(team_ids) <= known:
            raise InvalidValue("teams", "not_found")

    async def register(
        self, user_id: int, form: VolunteerForm, *, draft_of: int | None = None
    ) -> Registered:
        name = clean_name(form.real_name)
        phone = normalize_phone(form.phone)
        if not form.consent:
            raise InvalidValue("consent", "required")
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            await self._check_place(session, form.community_id, form.grid_id)
            await self._check_teams(session, form.team_ids)
            user = await users_repo.by_id(session, user_id)
            if user is None:
                raise NotFound("user")
            profile = await volunteers_repo.profile(session, user_id)
            status = (
                ApprovalState.PENDING if self.require_approval else ApprovalState.APPROVED
            ).value
            if profile is None:
                profile = VolunteerProfile(user_id=user_id)
                session.add(profile)
            elif profile.status == ApprovalState.APPROVED.value and (
                profile.community_id == form.community_id
            ):
                status = profile.status  # re-registering in place keeps the approval
            profile.real_name, profile.phone = name, phone
            profile.phone_verified = form.phone_verified
            profile.community_id, profile.grid_id = form.community_id, form.grid_id
            profile.consent_at = self.clock.now()
            if status != profile.status:
                profile.status = status
                profile.decided_by_id = profile.decided_at = None
            if user.community_id is None:
                user.community_id = form.community_id
            await session.flush()
            await volunteers_repo.set_teams(session, user_id, form.team_ids)
            dto = await self._dto(session, profile, user)
            notify = (
                tuple(await nearest_coordinators(session, _place(dto).path, self.default_language))
                if status == ApprovalState.PENDING.value
                else ()
            )
            await self._tell_coordinators(session, dto, notify)
            return Registered(dto, notify)

    async def profile(self, user_id: int) -> VolunteerDTO | None:
        async with self.db.read() as session:
            profile = await volunteers_repo.profile(session, user_id)
            user = await users_repo.by_id(session, user_id)
            if profile is None or user is None:
                return None
            return await self._dto(session, profile, user)

    async def update(
        self,
        user_id: int,
        *,
        real_name: str | None = None,
        phone: str | None = None,
        phone_verified: bool = False,
        community_id: int | None = None,
        grid_id: int | _Keep | None = KEEP,
        team_ids: Sequence[int] | None = None,
        draft_of: int | None = None,
    ) -> Registered:
        """Change one or more fields of a profile (a new phone with whether Telegram's
        contact button verified it). Moving to another community needs the new
        community's approval again (when approval is required)."""
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            profile = await volunteers_repo.profile(session, user_id)
            user = await users_repo.by_id(session, user_id)
            if profile is None or user is None:
                raise NotFound("volunteer")
            notify: tuple[Recipient, ...] = ()
            if real_name is not None:
                profile.real_name = clean_name(real_name)
            if phone is not None:
                profile.phone = normalize_phone(phone)
                profile.phone_verified = phone_verified
            if community_id is not None and community_id != profile.community_id:
                await self._check_place(session, community_id, None)
                profile.community_id, profile.grid_id = community_id, None
                if self.require_approval:
                    profile.status = ApprovalState.PENDING.value
                    profile.decided_by_id = profile.decided_at = None
            if not isinstance(grid_id, _Keep):
                await self._check_place(session, profile.community_id, grid_id)
                profile.grid_id = grid_id
            if team_ids is not None:
                await self._check_teams(session, team_ids)
                await volunteers_repo.set_teams(session, user_id, team_ids)
            await session.flush()
            dto = await self._dto(session, profile, user)
            if community_id is not None and profile.status == ApprovalState.PENDING.value:
                notify = tuple(
                    await nearest_coordinators(session, _place(dto).path, self.default_language)
                )
                await self._tell_coordinators(session, dto, notify)
            return Registered(dto, notify)

    async def _tell_coordinators(
        self, session: AsyncSession, volunteer: VolunteerDTO, coordinators: tuple[Recipient, ...]
    ) -> None:
        now = self.clock.now()
        for coordinator in coordinators:
            await self.notifier.notify(session, VolunteerPending(coordinator, volunteer, now))

    async def pending(self, actor: UserDTO, page: int = 0) -> Page[VolunteerDTO]:
        unit = require_coordinator(actor)
        async with self.db.read() as session:
            rows, page, pages, total = await fetch_page(
                lambda offset, limit: volunteers_repo.pending_under(
                    session, unit.path, offset, limit
                ),
                page,
                PAGE_SIZE,
            )
            items = tuple([await self._dto(session, p, u) for p, u in rows])
        return Page(items, page, pages, total)

    async def decide(self, actor: UserDTO, volunteer_user_id: int, approve: bool) -> Decision:
        """Approve or decline a pending volunteer of the actor's unit (audited)."""
        require_coordinator(actor)
        async with self.db.transaction() as session:
            profile = await volunteers_repo.profile(session, volunteer_user_id)
            user = await users_repo.by_id(session, volunteer_user_id)
            if profile is None or user is None:
                raise NotFound("volunteer")
            community = await org_repo.unit(session, profile.community_id)
            grid = await org_repo.unit(session, profile.grid_id) if profile.grid_id else None
            assert community is not None
            require_scope(actor, (grid or community).path)
            status = (ApprovalState.APPROVED if approve else ApprovalState.DECLINED).value
            now = self.clock.now()
            if not await volunteers_repo.decide(session, profile.user_id, status, actor.id, now):
                raise AlreadyDecided(profile.status)
            await audit_repo.record(
                session,
                action=f"volunteer.{'approve' if approve else 'decline'}",
                actor_id=actor.id,
                unit_id=community.id,
                target_kind="volunteer",
                target_id=volunteer_user_id,
            )
            await session.refresh(profile)
            dto = await self._dto(session, profile, user)
            await self.notifier.notify(session, VolunteerDecided(dto, approve, now))
            return Decision(dto, approve)
