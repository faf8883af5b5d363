"""Coordinators: bootstrapping admins (config, CLI) and appointing/removing coordinators
for units below one's own, in the chat. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.kernel.dto import CoordinatorDTO, UnitDTO, UserDTO
from bot.services.kernel.errors import InvalidValue, NotFound, UnknownUser
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.notify import Notifier
from bot.services.kernel.scope import require_coordinator, require_scope
from bot.services.kernel.validation import typed_number
from bot.services.org.units import unit_dto
from bot.services.people.notices import CoordinatorAppointed, CoordinatorRemoved
from bot.services.people.users import effective_language
from storage.database import Database
from storage.models import OrgUnit, User
from storage.repositories import audit as audit_repo
from storage.repositories import coordinators as coordinators_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo


@dataclass(frozen=True)
class Candidate:
    """Someone a coordinator may appoint, as the confirmation names them."""

    telegram_id: int
    name: str


@dataclass(frozen=True)
class Appointment:
    coordinator: CoordinatorDTO
    previous_unit: UnitDTO | None
    # the bot has had an update from them: it can write to them (a bot cannot write
    # first; until they open it, their notices are held)
    opened_bot: bool = True


class CoordinatorService:
    def __init__(self, db: Database, notifier: Notifier, default_language: str) -> None:
        self.db = db
        self.notifier = notifier
        self.default_language = default_language

    def _dto(self, user: User, unit: OrgUnit) -> CoordinatorDTO:
        return CoordinatorDTO(
            user_id=user.id,
            telegram_id=user.telegram_id,
            name=_name(user),
            language=effective_language(user, self.default_language),
            unit=unit_dto(unit),
        )

    async def add_admin(self, telegram_id: int, unit_code: str, label: str) -> Appointment:
        """Bind a Telegram user as coordinator of a unit (the district for admins) from
        the config or the command line; the user row is created if they never wrote."""
        async with self.db.transaction() as session:
            unit = await org_repo.unit_by_code(session, unit_code)
            if unit is None:
                raise InvalidValue("unit", "not_found", code=unit_code)
            user = await users_repo.ensure(session, telegram_id, first_name="")
            before = await coordinators_repo.binding(session, user.id)
            previous = await org_repo.unit(session, before.unit_id) if before else None
            opened = user.last_seen_at is not None
            if before is not None and before.unit_id == unit.id:
                return Appointment(self._dto(user, unit), unit_dto(unit), opened)
            await coordinators_repo.bind(session, user.id, unit.id, None)
            await audit_repo.record(
                session,
                action="coordinator.bind",
                actor_label=label,
                unit_id=unit.id,
                target_kind="user",
                target_id=user.id,
                detail={
                    "telegram_id": telegram_id,
                    "unit": unit.code,
                    "previous_unit": previous.code if previous else None,
                },
            )
            return Appointment(
                self._dto(user, unit), unit_dto(previous) if previous else None, opened
            )

    async def find_telegram_id(self, query: str) -> int:
        """A typed Telegram id or @username of someone who has started the bot."""
        text = query.strip()
        typed_id = typed_number(text)
        async with self.db.read() as session:
            if typed_id is not None:
                user = await users_repo.by_telegram_id(session, typed_id)
            elif text.isdecimal():  # digits, but beyond any id: nobody has it
                user = None
            elif text.startswith("@") and len(text) > 1:
                user = await users_repo.by_username(session, text[1:])
            else:
                raise InvalidValue("who", "format")
        if user is None:
            raise UnknownUser(text)
        return user.telegram_id

    async def candidate(self, actor: UserDTO, telegram_id: int) -> Candidate:
        """Whom ``actor`` would appoint: someone who started the bot (UnknownUser), not
        the actor (``invalid.who.self``)."""
        require_coordinator(actor)
        if telegram_id == actor.telegram_id:
            raise InvalidValue("who", "self")
        async with self.db.read() as session:
            user = await users_repo.by_telegram_id(session, telegram_id)
        if user is None:
            raise UnknownUser(str(telegram_id))
        return Candidate(user.telegram_id, _name(user))

    async def appointable_units(self, actor: UserDTO, parent_id: int | None) -> list[UnitDTO]:
        """Units directly under ``parent_id`` (default: the actor's unit) in scope."""
        own = require_coordinator(actor)
        async with self.db.read() as session:
            parent = await org_repo.unit(session, parent_id or own.id)
            if parent is None:
                raise NotFound("unit")
            require_scope(actor, parent.path)
            return [unit_dto(u) for u in await org_repo.children(session, parent.id)]

    async def appoint(
        self, actor: UserDTO, telegram_id: int, unit_id: int, *, draft_of: int | None = None
    ) -> Appointment:
        require_coordinator(actor)
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            unit = await org_repo.unit(session, unit_id)
            if unit is None:
                raise NotFound("unit")
            require_scope(actor, unit.path, strictly_below=True)
            user = await users_repo.by_telegram_id(session, telegram_id)
            if user is None:
                raise UnknownUser(str(telegram_id))
            if user.id == actor.id:
                raise InvalidValue("who", "self")
            before = await coordinators_repo.binding(session, user.id)
            previous = await org_repo.unit(session, before.unit_id) if before else None
            if previous is not None:
                # moving someone is removing them from their unit: that must be ours too
                require_scope(actor, previous.path, strictly_below=True)
            await coordinators_repo.bind(session, user.id, unit.id, actor.id)
            event = await audit_repo.record(
                session,
                action="coordinator.appoint",
                actor_id=actor.id,
                unit_id=unit.id,
                target_kind="user",
                target_id=user.id,
                detail={"unit": unit.code, "previous_unit": previous.code if previous else None},
            )
            coordinator = self._dto(user, unit)
            await self.notifier.notify(session, CoordinatorAppointed(coordinator, event))
            return Appointment(coordinator, unit_dto(previous) if previous else None)

    async def remove(self, actor: UserDTO, user_id: int) -> CoordinatorDTO:
        require_coordinator(actor)
        async with self.db.transaction() as session:
            binding = await coordinators_repo.binding(session, user_id)
            user = await users_repo.by_id(session, user_id)
            if binding is None or user is None:
                raise NotFound("coordinator")
            unit = await org_repo.unit(session, binding.unit_id)
            assert unit is not None
            require_scope(actor, unit.path, strictly_below=True)
            await coordinators_repo.unbind(session, user_id)
            event = await audit_repo.record(
                session,
                action="coordinator.remove",
                actor_id=actor.id,
                unit_id=unit.id,
                target_kind="user",
                target_id=user_id,
                detail={"unit": unit.code},
            )
            removed = self._dto(user, unit)
            await self.notifier.notify(session, CoordinatorRemoved(removed, event))
            return removed

    async def below(self, actor: UserDTO) -> list[CoordinatorDTO]:
        """Coordinators the actor may remove: bound strictly below the actor's unit."""
        own = require_coordinator(actor)
        async with self.db.read() as session:
            rows = await coordinators_repo.under(session, own.path)
        return [self._dto(u, o) for _b, u, o in rows if o.path != own.path]


def _name(user: User) -> str:
    """How coordinators see someone: their Telegram name, else their id."""
    return " ".join(p for p in (user.first_name, user.last_name) if p) or str(user.telegram_id)
