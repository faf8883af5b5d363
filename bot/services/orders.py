"""Requests for help (点单) and their review and publication (发单).

A resident's request waits in ``pending_review`` until a coordinator of its community
(or any unit above it) approves it — setting the places, points rate, team, guidance
and when grabbing opens — rejects it with a reason, or marks it a duplicate.
Coordinators can also publish an activity themselves, skipping review. The requester
is told of every change through the outbox, in the transaction of the change.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import notices, windows
from bot.services.base import LoopService
from bot.services.dto import OrderDTO, Page, Recipient, Role, UserDTO
from bot.services.errors import AlreadyDecided, InvalidValue, NotAllowed, NotFound
from bot.services.offers import settle_offer_message
from bot.services.paging import fetch_page
from bot.services.recipients import recipient
from bot.services.scope import require_coordinator, require_role, require_scope
from bot.services.users import effective_language
from bot.services.validation import clean_name, free_text, normalize_phone, optional_text
from storage.enums import ClaimState, OrderScope, OrderState, UnitKind
from storage.models import Order, OrgUnit
from storage.repositories import audit as audit_repo
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo
from storage.repositories import volunteers as volunteers_repo

PAGE_SIZE = 5
TITLE_MAX = 100
DESCRIPTION_MAX = 2000
ADDRESS_MAX = 500
GUIDANCE_MAX = 2000
REASON_MAX = 500
HELPERS_MAX = 200
PLACES_MAX = 200
BROWSE_AREAS = ("community", "street")
CATEGORY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
REQUESTER_CANCELLABLE = (
    OrderState.PENDING_REVIEW.value,
    OrderState.OPEN.value,
    OrderState.FILLED.value,
)
WAITING_OR_HOLDING = (
    ClaimState.CLAIMED.value,
    ClaimState.OFFERED.value,
    ClaimState.WAITLISTED.value,
)


# What happens next to an order is planned by other services (reminders, escalation,
# attendance …): each subscribes with a hook that runs in the transaction of the change.
OrderHook = Callable[[AsyncSession, OrderDTO], Awaitable[None]]


def order_dto(order: Order) -> OrderDTO:
    assert order.number is not None
    return OrderDTO(
        id=order.id,
        number=order.number,
        requester_id=order.requester_id,
        community_id=order.community_id,
        category=order.category,
        title=order.title,
        description=order.description,
        starts_at=order.starts_at,
        ends_at=order.ends_at,
        address=order.address,
        latitude=order.latitude,
        longitude=order.longitude,
        contact_phone=order.contact_phone,
        helpers_requested=order.helpers_requested,
        beneficiary_name=order.beneficiary_name,
        beneficiary_phone=order.beneficiary_phone,
        beneficiary_address=order.beneficiary_address,
        state=order.state,
        places=order.places,
        taken=order.taken,
        points_rate=order.points_rate,
        team_id=order.team_id,
        guidance=order.guidance,
        opens_at=order.opens_at,
        scope=order.scope,
        duplicate_of_id=order.duplicate_of_id,
        reject_reason=order.reject_reason,
        reviewed_by_id=order.reviewed_by_id,
        published_at=order.published_at,
        created_at=order.created_at,
    )


@dataclass(frozen=True)
class OrderForm:
    """What a requester (or a coordinator) gives; checked by :func:`check_form`."""

    category: str
    description: str
    starts_at: datetime
    ends_at: datetime
    community_id: int
    address: str
    contact_phone: str
    helpers_requested: int
    latitude: float | None = None
    longitude: float | None = None
    beneficiary_name: str | None = None
    beneficiary_phone: str | None = None
    beneficiary_address: str | None = None
    title: str | None = None  # an activity's own; a resident's request has none


@dataclass(frozen=True)
class Publication:
    """What a coordinator sets when publishing."""

    places: int
    points_rate: float | None = None  # None: [points] rate_per_hour
    team_id: int | None = None
    guidance: str | None = None
    opens_at: datetime | None = None  # None: grabbing opens at once
    scope: str = OrderScope.COMMUNITY.value


def default_publication(order: OrderDTO) -> Publication:
    """What "publish with these defaults" publishes: a place for each helper asked, the
    configured points rate (categories have no rate of their own), any team, no
    guidance beyond the category's own, grabbing open at once, the request's community."""
    return Publication(places=min(max(order.helpers_requested, 1), PLACES_MAX))


def check_guidance(text: str | None) -> str | None:
    """A coordinator's guidance for an order: optional, at most GUIDANCE_MAX."""
    return optional_text(text, "guidance", GUIDANCE_MAX)


def check_opens(
    opens_at: datetime | None, starts_at: datetime, now: datetime | None = None
) -> None:
    """Grabbing must open before the service starts (None: at once); with ``now``, a
    time typed for it must be still to come (the coordinator has "open now" for that)."""
    if opens_at is None:
        return
    if now is not None and opens_at <= now:
        raise InvalidValue("opens_at", "past")
    if opens_at >= starts_at:
        raise InvalidValue("opens_at", "after_start")


def check_form(
    form: OrderForm, now: datetime, timezone: str, max_days_ahead: int
) -> dict[str, object]:
    """The form's values as stored, or InvalidValue naming the first bad field."""
    if not CATEGORY_RE.match(form.category or ""):
        raise InvalidValue("category", "unknown")
    title = optional_text(form.title, "title", TITLE_MAX)
    description = free_text(form.description, "description", DESCRIPTION_MAX)
    windows.check_window(form.starts_at, form.ends_at, now, timezone, max_days_ahead)
    address = free_text(form.address, "address", ADDRESS_MAX)
    phone = normalize_phone(form.contact_phone)
    if not 1 <= form.helpers_requested <= HELPERS_MAX:
        raise InvalidValue("helpers", "range", min=1, max=HELPERS_MAX)
    if (form.latitude is None) != (form.longitude is None) or (
        form.latitude is not None
        and form.longitude is not None
        and not (-90 <= form.latitude <= 90 and -180 <= form.longitude <= 180)
    ):
        raise InvalidValue("location", "invalid")
    beneficiary_name = clean_name(form.beneficiary_name) if form.beneficiary_name else None
    beneficiary_phone = normalize_phone(form.beneficiary_phone) if form.beneficiary_phone else None
    beneficiary_address = optional_text(form.beneficiary_address, "address", ADDRESS_MAX)
    return {
        "category": form.category,
        "title": title,
        "description": description,
        "starts_at": form.starts_at,
        "ends_at": form.ends_at,
        "community_id": form.community_id,
        "address": address,
        "contact_phone": phone,
        "helpers_requested": form.helpers_requested,
        "latitude": form.latitude,
        "longitude": form.longitude,
        "beneficiary_name": beneficiary_name,
        "beneficiary_phone": beneficiary_phone,
        "beneficiary_address": beneficiary_address,
    }


# what a reviewer may correct (the community stays), and what the audit never shows
EDITABLE = frozenset(f.name for f in fields(OrderForm)) - {"community_id"}
PRIVATE_FIELDS = frozenset(
    {
        "address",
        "latitude",
        "longitude",
        "contact_phone",
        "beneficiary_name",
        "beneficiary_phone",
        "beneficiary_address",
    }
)


def order_form(order: Order) -> OrderForm:
    """An order's request as a form (to change some fields and check it again)."""
    return OrderForm(
        **{f.name: getattr(order, f.name) for f in fields(OrderForm)}  # type: ignore[arg-type]
    )


def _plain_value(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


async def order_area(
    session: AsyncSession, community_id: int, scope: str
) -> tuple[OrgUnit, OrgUnit]:
    """An order's community, and the unit whose volunteers it is for — told of it,
    and the only ones who may take it: the community itself (and its grids), or its
    street (a street-wide order)."""
    community = await org_repo.unit(session, community_id)
    assert community is not None
    if scope == OrderScope.STREET.value and community.parent_id is not None:
        return community, await org_repo.unit(session, community.parent_id) or community
    return community, community


async def scoped_order(
    session: AsyncSession, actor: UserDTO, order_id: int, *, lock: bool = False
) -> Order:
    """The order, if the coordinator's unit holds its community (NotAllowed, NotFound,
    NotInScope otherwise); ``lock``: FOR UPDATE."""
    require_coordinator(actor)
    order = await orders_repo.get(session, order_id, for_update=lock)
    if order is None:
        raise NotFound("order")
    unit = await org_repo.unit(session, order.community_id)
    assert unit is not None
    require_scope(actor, unit.path)
    return order


@dataclass(eq=False, kw_only=True)
class OrderService(LoopService):
    default_rate: float  # [points] rate_per_hour: categories have no rate of their own
    max_days_ahead: int  # [orders] max_days_ahead
    on_requested: list[OrderHook] = field(default_factory=list, init=False)  # waits for review
    on_published: list[OrderHook] = field(default_factory=list, init=False)  # open to grab
    # a pending request changed by its reviewer
    on_edited: list[OrderHook] = field(default_factory=list, init=False)
    # the requester called it off (every place given up)
    on_cancelled: list[OrderHook] = field(default_factory=list, init=False)

    async def _run_hooks(
        self, hooks: list[OrderHook], session: AsyncSession, order: OrderDTO
    ) -> None:
        for hook in hooks:
            await hook(session, order)

    async def _community(self, session: AsyncSession, community_id: int) -> str:
        unit = await org_repo.unit(session, community_id)
        if unit is None or unit.kind != UnitKind.COMMUNITY.value:
            raise InvalidValue("community", "not_found")
        return unit.path

    async def _publication(
        self, session: AsyncSession, publication: Publication, starts_at: datetime
    ) -> dict[str, object]:
        if not 1 <= publication.places <= PLACES_MAX:
            raise InvalidValue("places", "range", min=1, max=PLACES_MAX)
        rate = self.default_rate if publication.points_rate is None else publication.points_rate
        if not 0 < rate <= 1000:
            raise InvalidValue("points_rate", "range")
        if publication.team_id is not None and publication.team_id not in {
            t.id for t in await org_repo.teams(session)
        }:
            raise InvalidValue("teams", "not_found")
        if publication.scope not in {s.value for s in OrderScope}:
            raise InvalidValue("scope", "unknown")
        now = self.clock.now()
        # a time that passed while the coordinator answered the last questions: at once
        # (they are told: handlers/review_publish.py opened_early)
        opens_at = publication.opens_at
        if opens_at is not None and opens_at <= now:
            opens_at = None
        check_opens(opens_at, starts_at)
        return {
            "places": publication.places,
            "points_rate": rate,
            "team_id": publication.team_id,
            "guidance": check_guidance(publication.guidance),
            "opens_at": opens_at,
            "scope": publication.scope,
            "published_at": now,
            "updated_at": now,
        }

    async def create_request(self, requester: UserDTO, form: OrderForm) -> OrderDTO:
        """A resident's request: checked, stored as ``pending_review``, numbered."""
        now = self.clock.now()
        values = check_form(form, now, self.timezone, self.max_days_ahead)
        async with self.db.transaction() as session:
            await self._community(session, form.community_id)
            order = await orders_repo.insert(
                session,
                requester_id=requester.id,
                state=OrderState.PENDING_REVIEW.value,
                places=0,
                taken=0,
                created_at=now,
                updated_at=now,
                **values,
            )
            dto = order_dto(order)
            await self._run_hooks(self.on_requested, session, dto)
            return dto

    async def create_activity(
        self, actor: UserDTO, form: OrderForm, publication: Publication
    ) -> OrderDTO:
        """A coordinator's own order (an activity with N places): open at once."""
        require_coordinator(actor)
        now = self.clock.now()
        values = check_form(form, now, self.timezone, self.max_days_ahead)
        async with self.db.transaction() as session:
            path = await self._community(session, form.community_id)
            require_scope(actor, path)
            published = await self._publication(session, publication, form.starts_at)
            order = await orders_repo.insert(
                session,
                requester_id=actor.id,
                state=OrderState.OPEN.value,
                taken=0,
                reviewed_by_id=actor.id,
                created_at=now,
                **values,
                **published,
            )
            await self._audit(session, actor, order, "order.create_activity")
            dto = order_dto(order)
            await self._announce(session, dto)
            await self._run_hooks(self.on_published, session, dto)
            return dto

    async def _announce(self, session: AsyncSession, order: OrderDTO) -> None:
        """Tell the approved volunteers of the order's community (or its street) in its
        team, each with a Grab button — without the resident's address or phone."""
        community, area = await order_area(session, order.community_id, order.scope)
        category = (await org_repo.categories_by_codes(session)).get(order.category)
        now = self.clock.now()
        for user in await volunteers_repo.approved_under(session, area.path, order.team_id):
            to = Recipient(user.telegram_id, effective_language(user, self.default_language))
            zh = to.language.startswith("zh")
            kind = (category.name_zh if zh else category.name_en) if category else order.category
            key, message = notices.order_announced(
                to,
                user.id,
                order,
                kind,
                community.name_zh if zh else community.name_en,
                self.timezone,
                now,
            )
            await self.scheduler.enqueue(session, key, message)

    async def get(self, order_id: int) -> OrderDTO:
        async with self.db.read() as session:
            order = await orders_repo.get(session, order_id)
            if order is None:
                raise NotFound("order")
            return order_dto(order)

    async def requester_name(self, order: OrderDTO) -> str:
        """Who asked, as reviewers and the volunteers holding a place call them: the
        name they registered with as a volunteer, else their Telegram name."""
        async with self.db.read() as session:
            profile = await volunteers_repo.profile(session, order.requester_id)
            if profile is not None:
                return profile.real_name
            user = await users_repo.by_id(session, order.requester_id)
        if user is None:
            return ""
        return " ".join(part for part in (user.first_name, user.last_name) if part)

    async def reviewable(self, actor: UserDTO, order_id: int) -> OrderDTO:
        """A pending order the coordinator may decide (NotAllowed, NotInScope,
        NotFound, AlreadyDecided otherwise): checked before a review flow starts."""
        require_coordinator(actor)
        async with self.db.read() as session:
            return order_dto(await self._reviewable(session, actor, order_id))

    def local_moment(self, text: str) -> datetime:
        """``2026-12-03 14:00`` typed in the configured timezone, as an aware time."""
        try:
            naive = datetime.strptime(" ".join(text.split()), "%Y-%m-%d %H:%M")
        except ValueError:
            raise InvalidValue("opens_at", "format") from None
        return naive.replace(tzinfo=ZoneInfo(self.timezone))

    async def browse(self, actor: UserDTO, area: str, page: int = 0) -> Page[OrderDTO]:
        """Open orders the volunteer may take (``area``): those of their community
        (``community``), or every one open to them in their street (``street``: their
        community's and the street-wide orders of the others), in the teams they are in;
        nearest start first. An order for another community is not listed: its
        volunteers alone may take it (ClaimService refuses the others)."""
        require_role(actor, Role.VOLUNTEER)
        if area not in BROWSE_AREAS:
            raise InvalidValue("scope", "unknown")
        async with self.db.read() as session:
            profile = await volunteers_repo.profile(session, actor.id)
            if profile is None:
                raise NotFound("volunteer")
            community = await org_repo.unit(session, profile.community_id)
            if community is None:
                raise NotFound("community")
            street = None
            if area == "street" and community.parent_id is not None:
                street = await org_repo.unit(session, community.parent_id)
            street_path = street.path if street is not None else None
            team_ids = await volunteers_repo.team_ids(session, actor.id)
            now = self.clock.now()
            rows, page, pages, total = await fetch_page(
                lambda offset, limit: orders_repo.open_for(
                    session, community.id, street_path, team_ids, now, offset, limit
                ),
                page,
                PAGE_SIZE,
            )
        return Page(tuple(order_dto(o) for o in rows), page, pages, total)

    async def review_queue(self, actor: UserDTO, page: int = 0) -> Page[OrderDTO]:
        """Requests waiting for review in the coordinator's unit and below, oldest first."""
        unit = require_coordinator(actor)
        async with self.db.read() as session:
            rows, page, pages, total = await fetch_page(
                lambda offset, limit: orders_repo.review_queue(session, unit.path, offset, limit),
                page,
                PAGE_SIZE,
            )
        return Page(tuple(order_dto(o) for o in rows), page, pages, total)

    async def _reviewable(self, session: AsyncSession, actor: UserDTO, order_id: int) -> Order:
        order = await scoped_order(session, actor, order_id, lock=True)
        if order.state != OrderState.PENDING_REVIEW.value:
            raise AlreadyDecided(order.state)
        return order

    async def _decide(
        self, session: AsyncSession, order: Order, state: OrderState, **values: object
    ) -> Order:
        decided = await orders_repo.change_state(
            session,
            order.id,
            (OrderState.PENDING_REVIEW.value,),
            state=state.value,
            **values,
        )
        if not decided:
            raise AlreadyDecided(order.state)
        fresh = await orders_repo.get(session, order.id)
        assert fresh is not None
        return fresh

    async def _audit(
        self, session: AsyncSession, actor: UserDTO, order: Order, action: str, **detail: object
    ) -> None:
        await audit_repo.record(
            session,
            action=action,
            actor_id=actor.id,
            unit_id=order.community_id,
            target_kind="order",
            target_id=order.id,
            detail=dict(detail),
        )

    async def approve(self, actor: UserDTO, order_id: int, publication: Publication) -> OrderDTO:
        """Publish a pending request (audited); the requester is told."""
        require_coordinator(actor)
        async with self.db.transaction() as session:
            order = await self._reviewable(session, actor, order_id)
            values = await self._publication(session, publication, order.starts_at)
            order = await self._decide(
                session, order, OrderState.OPEN, reviewed_by_id=actor.id, **values
            )
            await self._audit(session, actor, order, "order.approve", places=order.places)
            dto = order_dto(order)
            to = await recipient(session, order.requester_id, self.default_language)
            key, message = notices.order_published(to, dto, self.timezone)
            await self.scheduler.enqueue(session, key, message)
            await self._announce(session, dto)
            await self._run_hooks(self.on_published, session, dto)
            return dto

    async def reject(self, actor: UserDTO, order_id: int, reason: str) -> OrderDTO:
        """Turn a pending request down with a reason (audited); the requester is told."""
        require_coordinator(actor)
        text = free_text(reason, "reason", REASON_MAX)
        async with self.db.transaction() as session:
            order = await self._reviewable(session, actor, order_id)
            order = await self._decide(
                session,
                order,
                OrderState.REJECTED,
                reject_reason=text,
                reviewed_by_id=actor.id,
                updated_at=self.clock.now(),
            )
            await self._audit(session, actor, order, "order.reject", reason=text)
            dto = order_dto(order)
            to = await recipient(session, order.requester_id, self.default_language)
            key, message = notices.order_rejected(to, dto)
            await self.scheduler.enqueue(session, key, message)
            return dto

    async def mark_duplicate(self, actor: UserDTO, order_id: int, of_order_id: int) -> OrderDTO:
        """Close a pending request as a duplicate of another order (audited)."""
        require_coordinator(actor)
        if of_order_id == order_id:
            raise InvalidValue("duplicate_of", "self")
        async with self.db.transaction() as session:
            original = await orders_repo.get(session, of_order_id)
            if original is None:
                raise InvalidValue("duplicate_of", "not_found")
            order = await self._reviewable(session, actor, order_id)
            order = await self._decide(
                session,
                order,
                OrderState.REJECTED,
                duplicate_of_id=original.id,
                reviewed_by_id=actor.id,
                updated_at=self.clock.now(),
            )
            await self._audit(session, actor, order, "order.duplicate", of=original.id)
            dto = order_dto(order)
            to = await recipient(session, order.requester_id, self.default_language)
            key, message = notices.order_duplicate(to, dto, order_dto(original))
            await self.scheduler.enqueue(session, key, message)
            return dto

    async def edit_request(
        self, actor: UserDTO, order_id: int, changes: Mapping[str, object]
    ) -> tuple[OrderDTO, tuple[str, ...]]:
        """A reviewer corrects what the resident gave (only while the request waits for
        review): ``changes`` names OrderForm fields; checked as a new request is. Audited
        with the changed fields' names (values only where they are not private); the
        requester is told which fields changed. Returns the order and those fields."""
        require_coordinator(actor)
        if not set(changes) <= EDITABLE:
            raise InvalidValue("field", "unknown")
        now = self.clock.now()
        async with self.db.transaction() as session:
            order = await self._reviewable(session, actor, order_id)
            current = order_form(order)
            edited = replace(current, **changes)  # type: ignore[arg-type]
            values = check_form(edited, now, self.timezone, self.max_days_ahead)
            changed = tuple(k for k in sorted(EDITABLE) if values[k] != getattr(order, k))
            if not changed:
                return order_dto(order), ()
            updated = await orders_repo.change_state(
                session,
                order.id,
                (OrderState.PENDING_REVIEW.value,),
                updated_at=now,
                **{k: values[k] for k in changed},
            )
            if not updated:
                raise AlreadyDecided(order.state)
            public = [k for k in changed if k not in PRIVATE_FIELDS]
            await self._audit(
                session,
                actor,
                order,
                "order.edit",
                fields=list(changed),
                old={k: _plain_value(getattr(current, k)) for k in public},
                new={k: _plain_value(values[k]) for k in public},
            )
            fresh = await orders_repo.get(session, order.id)
            assert fresh is not None
            dto = order_dto(fresh)
            to = await recipient(session, order.requester_id, self.default_language)
            key, message = notices.order_edited(to, dto, changed, now)
            await self.scheduler.enqueue(session, key, message)
            await self._run_hooks(self.on_edited, session, dto)
            return dto, changed

    # ---- the requester's own orders (/myrequests) ----------------------------------

    async def requester_orders(self, requester: UserDTO, page: int = 0) -> Page[OrderDTO]:
        """The requester's orders, newest first, paged."""
        async with self.db.read() as session:
            rows, page, pages, total = await fetch_page(
                lambda offset, limit: orders_repo.of_requester(
                    session, requester.id, offset, limit
                ),
                page,
                PAGE_SIZE,
            )
        return Page(tuple(order_dto(o) for o in rows), page, pages, total)

    def requester_may_cancel(self, order: OrderDTO) -> bool:
        return order.state in REQUESTER_CANCELLABLE and order.starts_at > self.clock.now()

    async def cancel_by_requester(self, requester: UserDTO, order_id: int) -> OrderDTO:
        """Only the requester, only before the service starts. Every volunteer holding
        a place or waiting for one is told (outbox), in the transaction of the change."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            order = await orders_repo.get(session, order_id, for_update=True)
            if order is None or order.requester_id != requester.id:
                raise NotAllowed("not the requester")
            if order.state not in REQUESTER_CANCELLABLE or order.starts_at <= now:
                raise AlreadyDecided(order.state)
            changed = await orders_repo.change_state(
                session,
                order.id,
                REQUESTER_CANCELLABLE,
                state=OrderState.CANCELLED.value,
                taken=0,
                updated_at=now,
            )
            if not changed:
                raise AlreadyDecided(order.state)
            fresh = await orders_repo.get(session, order.id)
            assert fresh is not None
            dto = order_dto(fresh)
            for claim in await claims_repo.of_order(session, order.id):
                state = claim.state
                if state not in WAITING_OR_HOLDING:
                    continue
                await claims_repo.set_state(
                    session, claim.id, state, state=ClaimState.CANCELLED.value, cancelled_at=now
                )
                to = await recipient(session, claim.volunteer_id, self.default_language)
                key, message = notices.order_cancelled_by_requester(to, dto, self.timezone)
                await self.scheduler.enqueue(session, key, message)
                if state == ClaimState.OFFERED.value:  # its buttons go
                    await settle_offer_message(
                        session, self.scheduler, to, claim, dto.number, "withdrawn"
                    )
            await self._run_hooks(self.on_cancelled, session, dto)
            return dto
