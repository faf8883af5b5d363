"""Who is talking to the bot: the user row, their language and roles."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.runtime.batching import Batcher
from bot.runtime.debounce import Debounce
from bot.services.kernel.clock import Clock
from bot.services.kernel.dto import UserDTO
from bot.services.kernel.errors import InvalidValue, NotFound
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.languages import LANGUAGES, language_from_telegram
from bot.services.org.units import unit_dto
from storage.database import Database
from storage.enums import ApprovalState, UnitKind, UnreachableReason
from storage.models import CoordinatorBinding, OrgUnit, User, VolunteerProfile
from storage.repositories import org as org_repo
from storage.repositories import outbox as outbox_repo
from storage.repositories import presence as presence_repo
from storage.repositories import users as users_repo
from storage.repositories.presence import Presence

if TYPE_CHECKING:  # it imports recipients, which imports this module
    from bot.services.people.held import HeldMessages

log = logging.getLogger(__name__)

SEEN_RESOLUTION = timedelta(minutes=10)


@dataclass(frozen=True)
class TelegramIdentity:
    telegram_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


def effective_language(user: User, default: str) -> str:
    """The language chosen with /lang, else Telegram's, else the default."""
    return user.language or language_from_telegram(user.telegram_language, default)


def user_dto(
    user: User,
    profile: VolunteerProfile | None,
    binding: CoordinatorBinding | None,
    unit: OrgUnit | None,
    default_language: str,
) -> UserDTO:
    language = effective_language(user, default_language)
    coordinator_unit = unit_dto(unit) if binding is not None and unit is not None else None
    return UserDTO(
        id=user.id,
        telegram_id=user.telegram_id,
        first_name=user.first_name,
        language=language,
        chosen_language=user.language,
        community_id=user.community_id,
        volunteer_status=ApprovalState(profile.status) if profile else None,
        coordinator_unit=coordinator_unit,
        is_admin=coordinator_unit is not None and coordinator_unit.parent_id is None,
        real_name=profile.real_name if profile else None,
        menu=user.menu,
    )


class UserService:
    """``touch`` runs on every update, so under a burst (a grab storm: a thousand
    volunteers at once) it is batched: the concurrent touches share one read (``IN``
    over their telegram ids) and their writes (last seen, names) share one transaction
    — a group commit. A lone touch is a batch of one that runs at once. A touch returns
    after its write committed, except when the only change is "last seen": that
    bookkeeping is written behind, not waited for, and only once the burst is over (no
    new one for ``seen_quiet`` seconds, at most ``seen_max_wait``), then in one group
    commit: written during a storm it took SQLite's one writer from the grab's claim
    and slowed the claim batch down (see bench/README.md, section "Last seen after the
    burst"). :meth:`flush` writes what waits and waits for what is still on its way (at
    shutdown)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        default_language: str,
        *,
        seen_quiet: float = 1.0,
        seen_max_wait: float = 10.0,
        held: HeldMessages | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.default_language = default_language
        self.held = held
        self._reads: Batcher[None, int, Presence | None] = Batcher(
            self._read_batch, name="users.read"
        )
        self._writes: Batcher[None, dict[str, Any], None] = Batcher(
            self._write_batch, max_batch=2000, name="users.write"
        )
        self._behind: set[asyncio.Task[None]] = set()
        # "last seen" by user id, written once the burst is over (see the class)
        self._seen: dict[int, dict[str, Any]] = {}
        self._seen_later = Debounce(self._write_seen, quiet=seen_quiet, max_wait=seen_max_wait)

    def _changes(self, user: Presence, who: TelegramIdentity) -> dict[str, Any]:
        """The columns to write: none when nothing changed and last seen is recent."""
        now = self.clock.now()
        names = {
            "first_name": who.first_name[:128],
            "last_name": who.last_name[:128] if who.last_name else None,
            "username": who.username,
            "telegram_language": who.language_code,
        }
        changes: dict[str, Any] = {k: v for k, v in names.items() if getattr(user, k) != v}
        seen = user.last_seen_at
        if (
            changes
            or seen is None
            or now - seen > SEEN_RESOLUTION
            # coming back: written at once, as a send refused meanwhile is judged by it
            # (OutboxService.unreachable)
            or user.unreachable_since is not None
        ):
            changes["last_seen_at"] = now
        return changes

    async def _read_batch(self, _: None, telegram_ids: list[int]) -> Sequence[Presence | None]:
        async with self.db.read() as session:
            found = await presence_repo.presence_many(session, telegram_ids)
        return [found.get(tid) for tid in telegram_ids]

    async def _write_batch(self, _: None, rows: list[dict[str, Any]]) -> Sequence[None]:
        async with self.db.transaction() as session:
            await presence_repo.update_many(session, rows)
        return [None] * len(rows)

    def _dto(self, user: Presence, changes: dict[str, Any]) -> UserDTO:
        telegram_language = changes.get("telegram_language", user.telegram_language)
        unit = unit_dto(user.coordinator_unit) if user.coordinator_unit is not None else None
        return UserDTO(
            id=user.id,
            telegram_id=user.telegram_id,
            first_name=changes.get("first_name", user.first_name),
            language=user.language
            or language_from_telegram(telegram_language, self.default_language),
            chosen_language=user.language,
            community_id=user.community_id,
            volunteer_status=ApprovalState(user.volunteer_status)
            if user.volunteer_status
            else None,
            coordinator_unit=unit,
            is_admin=unit is not None and unit.parent_id is None,
            real_name=user.real_name,
            menu=user.menu,
        )

    async def warm_up(self) -> None:
        """Run the read behind ``touch`` once, for nobody, so that it is compiled at
        start-up rather than by the first burst of updates."""
        async with self.db.read() as session:
            await presence_repo.presence_many(session, [0])

    async def touch(self, who: TelegramIdentity) -> UserDTO:
        """The user behind an update, created on first contact. Writes only when
        something changed (names, language, last seen is stale, or they had been
        unreachable), so a burst of updates from one person costs reads, not writes.
        Someone the bot could not reach is reachable again: the messages held for them
        are released (only then, so it costs the others nothing)."""
        user = await self._reads.submit(None, who.telegram_id)
        if user is None:
            return await self._first_contact(who)
        changes = self._changes(user, who)
        returning = user.unreachable_since is not None
        if changes.keys() == {"last_seen_at"} and not returning:
            self._write_behind({"id": user.id, **changes})
        elif changes:
            self._seen.pop(user.id, None)  # this write says when, and later
            await self._writes.submit(None, {"id": user.id, **changes})
        if returning:  # they could not be reached: they can now (their language written)
            await self._came_back(user.id)
        return self._dto(user, changes)

    async def _came_back(self, user_id: int) -> None:
        """Reachable again, and the messages held for them released (HeldMessages). A
        failure leaves them unreachable, so that the next update tries again."""
        try:
            if self.held is not None:
                await self.held.release(user_id)
            else:  # nothing to release them with (a service built alone): reachable only
                async with self.db.transaction() as session:
                    await outbox_repo.mark_reachable(session, user_id)
        except Exception:
            log.exception("user %s: held messages not released (tried again next time)", user_id)

    async def left(self, telegram_id: int) -> None:
        """The user blocked the bot (Telegram's my_chat_member update): unreachable from
        now on, so that messages to them are held without first being refused."""
        async with self.db.transaction() as session:
            await outbox_repo.mark_unreachable(
                session, telegram_id, self.clock.now(), UnreachableReason.BLOCKED
            )

    def _write_behind(self, row: dict[str, Any]) -> None:
        self._seen[row["id"]] = row
        self._seen_later.poke()

    def _write_seen(self) -> None:
        rows, self._seen = list(self._seen.values()), {}
        if not rows:
            return
        task = asyncio.create_task(self._write_rows(rows), name="users.last_seen")
        self._behind.add(task)
        task.add_done_callback(self._written)

    async def _write_rows(self, rows: list[dict[str, Any]]) -> None:
        # through the write batches: one transaction with any names written meanwhile
        await asyncio.gather(*(self._writes.submit(None, row) for row in rows))

    def _written(self, task: asyncio.Task[None]) -> None:
        self._behind.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("last seen not recorded", exc_info=task.exception())

    async def flush(self) -> None:
        """Write every "last seen" still waiting now, and wait until all have committed."""
        self._seen_later.fire()
        while self._behind:
            await asyncio.gather(*self._behind, return_exceptions=True)

    async def _first_contact(self, who: TelegramIdentity) -> UserDTO:
        async with self.db.transaction() as session:
            user = await users_repo.ensure(
                session, who.telegram_id, first_name=who.first_name[:128]
            )
            user.first_name = who.first_name[:128]
            user.last_name = who.last_name[:128] if who.last_name else None
            user.username = who.username
            user.telegram_language = who.language_code
            user.last_seen_at = self.clock.now()
            user.unreachable_since = None
            await session.flush()
            found = await users_repo.with_roles(session, who.telegram_id)
            assert found is not None
            return user_dto(*found, self.default_language)

    async def menu_set(self, user_id: int, digest: str) -> None:
        """The command menu ``digest`` was set for the user's chat (with the writes of
        the updates at the time, in one transaction)."""
        await self._writes.submit(None, {"id": user_id, "menu": digest})

    async def get(self, telegram_id: int) -> UserDTO:
        async with self.db.read() as session:
            found = await users_repo.with_roles(session, telegram_id)
        if found is None:
            raise NotFound("user")
        return user_dto(*found, self.default_language)

    async def set_language(self, user_id: int, language: str) -> None:
        if language not in LANGUAGES:
            raise InvalidValue("language", "unknown")
        async with self.db.transaction() as session:
            user = await users_repo.by_id(session, user_id)
            if user is None:
                raise NotFound("user")
            user.language = language

    async def set_home_community(
        self, user_id: int, community_id: int, *, draft_of: int | None = None
    ) -> None:
        async with self.db.transaction() as session:
            await clear_draft(session, draft_of)  # its flow ends with it
            unit = await org_repo.unit(session, community_id)
            if unit is None or unit.kind != UnitKind.COMMUNITY.value:
                raise InvalidValue("community", "not_found")
            user = await users_repo.by_id(session, user_id)
            if user is None:
                raise NotFound("user")
            user.community_id = community_id
