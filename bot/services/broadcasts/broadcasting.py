"""Coordinators' broadcasts (/broadcast, /broadcasts) and volunteers' mutes (/settings).

A broadcast is composed in a flow (handlers/broadcasts/compose.py: the words, checked as
Telegram parses them, an optional photo, its category, its audience) and sent as one
campaign (bot/services/fanout/campaigns.py): the coordinator's press commits the
broadcast, its campaign and an audit entry, whatever the audience's size; the fan-out
writes its recipients a page at a time at broadcast priority, each copy keyed by the
broadcast and the volunteer (never twice to one person). Rights are checked against the
coordinator as the database has them now when counting, when sending and when listing:
a street coordinator reaches only their street.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.broadcasts.activity import carried_activity
from bot.services.broadcasts.drafts import BroadcastDraft
from bot.services.broadcasts.notices import BroadcastPosted, BroadcastSent
from bot.services.broadcasts.text import check_text
from bot.services.broadcasts.views import BroadcastDTO, Figures
from bot.services.fanout import campaigns
from bot.services.fanout.audience import Member, Volunteers, audience_of
from bot.services.grabs.rules import GRABBABLE
from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import Page, Recipient, UnitDTO, UserDTO
from bot.services.kernel.errors import InvalidValue, NotAllowed
from bot.services.kernel.flows import clear_draft
from bot.services.kernel.paging import fetch_page
from bot.services.kernel.scheduling import PRIORITY_BROADCAST
from bot.services.kernel.scope import require_coordinator, require_scope
from bot.services.kernel.validation import typed_moment
from bot.services.org.units import unit_dto
from storage.enums import BroadcastCategory, BroadcastState, CampaignState, OrderState
from storage.repositories import audit as audit_repo
from storage.repositories import broadcasts as broadcasts_repo
from storage.repositories import campaigns as campaigns_repo
from storage.repositories import coordinators as coordinators_repo
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo

BROADCAST = "broadcast.send"  # params: {"broadcast": id}; audience: Volunteers
START_JOB = "broadcast.start"  # a scheduled broadcast's time: {"broadcast": id}
CATEGORIES = tuple(BroadcastCategory)
LIST_PAGE = 5  # broadcasts a page of /broadcasts shows
RUNNING = CampaignState.RUNNING.value
FILLED = OrderState.FILLED.value


class BroadcastService(LoopService):
    orders: Any = None  # the OrderService (an activity a broadcast carries): Services.wire
    # unit code → the chat id of its group or channel, from [units.<code>] channel_id
    # (one set from the chat with /setchannel, kept on the unit, comes first)
    channels: Mapping[str, int] = MappingProxyType({})

    # ---- the unit's group or channel --------------------------------------------------

    async def channel(self, unit_id: int) -> int | None:
        """Where the unit's broadcasts are also posted, if anywhere."""
        async with self.db.read() as session:
            row = await org_repo.unit(session, unit_id)
        if row is None:
            return None
        return row.channel_id or self.channels.get(row.code)

    async def set_channel(self, coordinator: UserDTO, chat_id: int | None) -> UnitDTO:
        """The coordinator's unit's group or channel is ``chat_id`` (None: none from the
        chat, the configuration's again); audited."""
        unit = require_coordinator(coordinator)
        async with self.db.transaction() as session:
            row = await org_repo.unit(session, unit.id)
            assert row is not None
            row.channel_id = chat_id
            await audit_repo.record(
                session,
                action="broadcast.channel",
                actor_id=coordinator.id,
                unit_id=unit.id,
                target_kind="unit",
                target_id=unit.id,
                detail={"chat_id": chat_id},
            )
        return unit

    # ---- composing ----------------------------------------------------------------

    def check_text(self, html: str, with_photo: bool) -> str:
        return check_text(html, with_photo)

    def send_time(self, text: str) -> datetime:
        """``2026-12-10 09:00`` typed in the configured timezone: when to send, in the
        future and within a year (InvalidValue of ``send_at``: ``format``, ``past``,
        ``too_far``)."""
        at = typed_moment(text, self.timezone, "send_at")
        now = self.clock.now()
        if at <= now:
            raise InvalidValue("send_at", "past")
        if at > now + timedelta(days=366):
            raise InvalidValue("send_at", "too_far")
        return at

    async def audience_unit(self, coordinator: UserDTO, unit_id: int) -> UnitDTO:
        """The unit ``unit_id`` if it lies at or below the coordinator's."""
        async with self.db.read() as session:
            row = await org_repo.unit(session, unit_id)
        if row is None:
            raise InvalidValue("unit", "not_found")
        unit = unit_dto(row)
        require_scope(coordinator, unit.path)
        return unit

    async def drafted_unit(self, coordinator: UserDTO, draft: BroadcastDraft) -> UnitDTO:
        """The draft's unit (the coordinator's until one is chosen), checked."""
        unit_id = draft.unit_id or require_coordinator(coordinator).id
        return await self.audience_unit(coordinator, unit_id)

    async def audience(self, coordinator: UserDTO, draft: BroadcastDraft) -> Volunteers:
        """The draft's audience, its unit checked against the coordinator's rights."""
        return self._audience(draft, await self.drafted_unit(coordinator, draft))

    def _audience(self, draft: BroadcastDraft, unit: UnitDTO) -> Volunteers:
        seen = self.clock.now() - timedelta(days=draft.active_days) if draft.active_days else None
        category = draft.kind.value if draft.kind else None
        return Volunteers(unit.path, tuple(draft.team_ids), draft.min_hours, seen, category)

    async def count(self, coordinator: UserDTO, draft: BroadcastDraft) -> int:
        """How many the draft's audience reaches now (muted and out-of-scope left out)."""
        audience = await self.audience(coordinator, draft)
        async with self.db.read() as session:
            return await audience.count(session)

    # ---- sending ------------------------------------------------------------------

    async def send(self, coordinator: UserDTO, draft: BroadcastDraft) -> BroadcastDTO:
        """The broadcast committed with its campaign and audit entry, the draft cleared;
        its recipients are written after the commit (wake the sender). InvalidValue when
        the words no longer pass, nothing is chosen, or nobody is in the audience;
        NotInScope when the unit is no longer the coordinator's."""
        if draft.text is None:
            raise InvalidValue("broadcast_text", "empty")
        if draft.kind is None:
            raise InvalidValue("broadcast_category", "empty")
        text = check_text(draft.text, draft.photo is not None)
        unit = await self.drafted_unit(coordinator, draft)
        audience = self._audience(draft, unit)
        channel = await self.channel(unit.id) if draft.to_channel else None
        if draft.to_channel and channel is None:
            raise InvalidValue("channel", "none")
        activity = None
        if draft.places is not None:
            async with self.db.read() as session:
                activity = await carried_activity(session, draft, text, unit)
        now = self.clock.now()
        send_at = draft.send_at if draft.send_at and draft.send_at > now else None
        async with self.db.transaction() as session:
            recipients = await audience.count(session)
            if recipients == 0:
                raise InvalidValue("audience", "empty")
            row = await broadcasts_repo.insert(
                session,
                unit_id=unit.id,
                author_id=coordinator.id,
                category=draft.kind.value,
                text=text,
                photo=draft.photo,
                audience=audience.stored(),
                recipients=recipients,
                state=BroadcastState.SCHEDULED.value if send_at else BroadcastState.SENDING.value,
                send_at=send_at,
                channel_id=channel,
                created_at=now,
            )
            if activity is not None:  # created with it; the broadcast is its announcement
                form, publication = activity
                order = await self.orders.insert_activity(session, coordinator, form, publication)
                row.order_id = order.id
            if send_at:  # a durable job starts it then (rights and audience checked again)
                await self.scheduler.schedule(
                    session, START_JOB, f"{START_JOB}:{row.id}", send_at, broadcast=row.id
                )
            else:
                await self._start(session, row, audience, now)
            await audit_repo.record(
                session,
                action="broadcast.scheduled" if send_at else "broadcast.sent",
                actor_id=coordinator.id,
                unit_id=unit.id,
                target_kind="broadcast",
                target_id=row.id,
                detail={
                    "audience": audience.stored(),
                    "category": row.category,
                    "recipients": recipients,
                    "text": text,
                    "photo": draft.photo,
                    "send_at": send_at.isoformat() if send_at else None,
                },
            )
            await clear_draft(session, coordinator.id)  # the composing flow ends with it
            return self._dto(row, unit, Figures())

    async def _start(
        self, session: AsyncSession, row: Any, audience: Volunteers, now: datetime
    ) -> None:
        row.state, row.started_at = BroadcastState.SENDING.value, now
        row.campaign_id = await campaigns.start(
            session, BROADCAST, {"broadcast": row.id}, audience, PRIORITY_BROADCAST, now
        )
        if row.channel_id is not None:  # and in the unit's group or channel, once
            where = Recipient(row.channel_id, self.default_language)
            await self.notifier.notify(session, BroadcastPosted(where, row.id, row.text, row.photo))

    async def start_scheduled(self, session: AsyncSession, broadcast_id: int) -> None:
        """The job at a scheduled broadcast's time (in its unit of work): sent now if
        its author still coordinates its unit (or one above) and someone is in its
        audience; else dropped, with why in the audit log. Cancelled meanwhile: nothing."""
        row = await broadcasts_repo.get(session, broadcast_id)
        if row is None or row.state != BroadcastState.SCHEDULED.value:
            return
        now = self.clock.now()
        unit = await org_repo.unit(session, row.unit_id)
        binding = await coordinators_repo.binding(session, row.author_id or 0)
        above = await org_repo.unit(session, binding.unit_id) if binding else None
        audience = audience_of(row.audience)
        why = None
        if unit is None or above is None or not unit.path.startswith(above.path):
            why = "its author no longer coordinates its unit"
        elif not (recipients := await audience.count(session)):
            why = "nobody in its audience"
        if why:
            row.state, row.finished_at = BroadcastState.CANCELLED.value, now
        else:
            row.recipients = recipients
            await self._start(session, row, audience, now)
        await audit_repo.record(
            session,
            action="broadcast.dropped" if why else "broadcast.sent",
            actor_id=row.author_id,
            unit_id=row.unit_id,
            target_kind="broadcast",
            target_id=row.id,
            detail={"why": why} if why else {"recipients": row.recipients, "scheduled": True},
        )

    async def copies(
        self,
        session: AsyncSession,
        params: dict[str, Any],
        members: Sequence[Member],
        now: datetime,
    ) -> list[BroadcastSent] | None:
        """The campaign's kind: one page of the broadcast's copies; None once it was
        cancelled (the rest of its audience is not told); NotNow while it is paused."""
        row = await broadcasts_repo.get(session, int(params["broadcast"]))
        if row is None or row.state == BroadcastState.CANCELLED.value:
            return None
        if row.state == BroadcastState.PAUSED.value:
            raise campaigns.NotNow
        places, full = 0, False
        if row.order_id is not None:  # the activity it carries, as it is now
            order = await orders_repo.get(session, row.order_id)
            if order is None or order.state not in GRABBABLE or now >= order.starts_at:
                return None  # nothing left to grab: the rest are not told (as announcements)
            # once its places are gone, the rest get the words with the waitlist
            places, full = order.places, order.state == FILLED
        words = (row.id, row.text, row.photo, row.category, row.order_id, places, full)
        return [BroadcastSent(m.to, m.user_id, *words) for m in members]

    # ---- the coordinators' list -----------------------------------------------------

    async def listing(self, coordinator: UserDTO, page: int = 0) -> Page[BroadcastDTO]:
        """The broadcasts of the coordinator's unit and the units below it, newest
        first, with their figures (the audit of who sent what to whom)."""
        mine = require_coordinator(coordinator)
        async with self.db.read() as session:
            units = {u.id: unit_dto(u) for u in await org_repo.subtree(session, mine.path)}

            async def fetch(offset: int, limit: int) -> tuple[list[BroadcastDTO], int]:
                rows, total = await broadcasts_repo.under(session, mine.path, offset, limit)
                return await self._with_figures(session, rows, units), total

            rows, shown, pages, total = await fetch_page(fetch, page, LIST_PAGE)
        return Page(tuple(rows), shown, pages, total)

    async def one(self, broadcast_id: int) -> BroadcastDTO | None:
        async with self.db.read() as session:
            if await broadcasts_repo.get(session, broadcast_id) is None:
                return None
            _, dto = await self._one(session, broadcast_id)
        return dto

    async def _one(self, session: AsyncSession, broadcast_id: int) -> tuple[Any, BroadcastDTO]:
        """The broadcast's row (it exists) and its DTO with its figures."""
        row = await broadcasts_repo.get(session, broadcast_id)
        assert row is not None
        unit = await org_repo.unit(session, row.unit_id)
        assert unit is not None
        [dto] = await self._with_figures(session, [row], {unit.id: unit_dto(unit)})
        return row, dto

    async def _with_figures(
        self, session: AsyncSession, rows: Sequence[Any], units: dict[int, UnitDTO]
    ) -> list[BroadcastDTO]:
        """The broadcasts with what became of their copies; one whose copies are all
        written and tried shows as done."""
        ids = [r.campaign_id for r in rows if r.campaign_id is not None]
        figures = await broadcasts_repo.figures(session, ids)
        written = await campaigns_repo.states(session, ids)
        orders = [r.order_id for r in rows if r.order_id is not None]
        places = await orders_repo.places_of(session, orders)
        out = []
        for r in rows:
            f = Figures.of(figures.get(r.campaign_id or 0, {}))
            state = r.state
            if (
                state == BroadcastState.SENDING.value
                and written.get(r.campaign_id or 0, RUNNING) != RUNNING
                and not f.waiting
            ):
                state = BroadcastState.DONE.value
            dto = self._dto(r, units[r.unit_id], f)
            total, taken, moved = places.get(r.order_id or 0, (0, 0, 0))
            out.append(replace(dto, state=state, places=total, taken=taken, claims_moved=moved))
        return out

    def _dto(self, row: Any, unit: UnitDTO, figures: Figures) -> BroadcastDTO:
        return BroadcastDTO(
            id=row.id,
            unit=unit,
            category=row.category,
            text=row.text,
            photo=row.photo,
            audience=audience_of(row.audience),
            recipients=row.recipients,
            state=row.state,
            created_at=row.created_at,
            figures=figures,
            send_at=row.send_at,
            started_at=row.started_at,
            order_id=row.order_id,
        )

    # ---- volunteers' mutes ----------------------------------------------------------

    async def muted(self, volunteer: UserDTO) -> set[str]:
        async with self.db.read() as session:
            return await broadcasts_repo.muted(session, volunteer.id)

    async def set_muted(self, volunteer: UserDTO, category: str, muted: bool) -> set[str]:
        """Mute (or unmute) a category for the volunteer; what they mute now."""
        if volunteer.volunteer_status is None:
            raise NotAllowed("volunteers only")
        if category not in {c.value for c in CATEGORIES}:
            raise InvalidValue("broadcast_category", "not_found")
        async with self.db.transaction() as session:
            if muted:
                await broadcasts_repo.mute(session, volunteer.id, category, self.clock.now())
            else:
                await broadcasts_repo.unmute(session, volunteer.id, category)
            return await broadcasts_repo.muted(session, volunteer.id)

    async def category_of(self, broadcast_id: int) -> str | None:
        async with self.db.read() as session:
            row = await broadcasts_repo.get(session, broadcast_id)
            return row.category if row is not None else None
