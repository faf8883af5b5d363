"""Plain data handed from services to handlers and jobs (never live ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

from bot.services.kernel.languages import localized
from bot.services.kernel.states import ApprovalState, ClaimState, OrderState

T = TypeVar("T")
D = TypeVar("D", bound="DataclassInstance")


def from_row(dto: type[D], row: object, **values: Any) -> D:
    """A ``dto`` of ``row`` (an ORM row): each of its fields read from the row's
    attribute of the same name, but those given in ``values`` (what is renamed,
    converted or computed, and what the row has no attribute for)."""
    taken = {name: getattr(row, name) for name in _field_names(dto) if name not in values}
    return dto(**taken, **values)


@cache
def _field_names(dto: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(dto) if f.init)


class Role(StrEnum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


@dataclass(frozen=True)
class UnitDTO:
    id: int
    parent_id: int | None
    kind: str
    code: str
    name_zh: str
    name_en: str
    path: str

    @property
    def names(self) -> dict[str, str]:
        """Its name per locale (stored in both languages)."""
        return {"zh_CN": self.name_zh, "en": self.name_en}

    def name(self, language: str) -> str:
        """Its name for a reader of ``language``."""
        return localized(self.names, language)

    def contains(self, other: UnitDTO | str) -> bool:
        """This unit is ``other`` or an ancestor of it."""
        other_path = other if isinstance(other, str) else other.path
        return other_path.startswith(self.path)

    def is_above(self, other: UnitDTO | str) -> bool:
        other_path = other if isinstance(other, str) else other.path
        return other_path != self.path and other_path.startswith(self.path)


@dataclass(frozen=True)
class TeamDTO:
    id: int
    code: str
    name_zh: str
    name_en: str

    @property
    def names(self) -> dict[str, str]:
        """Its name per locale (stored in both languages)."""
        return {"zh_CN": self.name_zh, "en": self.name_en}

    def name(self, language: str) -> str:
        """Its name for a reader of ``language``."""
        return localized(self.names, language)


@dataclass(frozen=True)
class CategoryDTO:
    code: str
    name_zh: str
    name_en: str
    guidance_zh: str
    guidance_en: str

    @property
    def names(self) -> dict[str, str]:
        """Its name per locale (stored in both languages)."""
        return {"zh_CN": self.name_zh, "en": self.name_en}

    def name(self, language: str) -> str:
        """Its name for a reader of ``language``."""
        return localized(self.names, language)

    def guidance(self, language: str) -> str:
        """What volunteers holding a place read, for a reader of ``language``."""
        return localized({"zh_CN": self.guidance_zh, "en": self.guidance_en}, language)


@dataclass(frozen=True)
class UserDTO:
    id: int
    telegram_id: int
    first_name: str
    language: str  # effective: chosen, else from Telegram, else the default
    chosen_language: str | None
    community_id: int | None
    volunteer_status: ApprovalState | None = None
    coordinator_unit: UnitDTO | None = None
    is_admin: bool = False
    real_name: str | None = None  # registered as a volunteer with this name
    menu: str | None = None  # the digest of the command menu last set for their chat

    @property
    def display_name(self) -> str:
        """How the bot addresses them: the name they registered with, else Telegram's."""
        return self.real_name or self.first_name

    @property
    def roles(self) -> frozenset[Role]:
        roles: set[Role] = set()
        if self.community_id is not None or self.volunteer_status is not None:
            roles.add(Role.RESIDENT)
        if self.volunteer_status == ApprovalState.APPROVED:
            roles.add(Role.VOLUNTEER)
        if self.coordinator_unit is not None:
            roles.add(Role.COORDINATOR)
        if self.is_admin:
            roles.add(Role.ADMIN)
        return frozenset(roles)

    @property
    def registered(self) -> bool:
        return self.community_id is not None or self.volunteer_status is not None


@dataclass(frozen=True)
class VolunteerDTO:
    user_id: int
    telegram_id: int
    language: str
    real_name: str
    phone: str
    phone_verified: bool  # shared with Telegram's contact button, not typed
    community: UnitDTO
    grid: UnitDTO | None
    teams: tuple[TeamDTO, ...]
    status: ApprovalState
    consent_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class CoordinatorDTO:
    user_id: int
    telegram_id: int
    name: str
    language: str
    unit: UnitDTO


@dataclass(frozen=True)
class Recipient:
    """Someone to tell something: their chat and language."""

    telegram_id: int
    language: str


@dataclass(frozen=True)
class FlowDTO:
    """A flow's stored state: the draft's answers (``data``, JSON) and, beside them,
    where "back" leads (``history``, ``return_to`` through ``return_until``)."""

    flow: str
    step: str
    nonce: int
    data: dict[str, Any] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    return_to: str | None = None
    return_until: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class OrderDTO:
    id: int
    number: str
    requester_id: int
    community_id: int
    category: str
    title: str | None  # an activity's own; a resident's request has none
    description: str
    starts_at: datetime
    ends_at: datetime
    address: str
    latitude: float | None
    longitude: float | None
    contact_phone: str
    helpers_requested: int
    beneficiary_name: str | None
    beneficiary_phone: str | None
    beneficiary_address: str | None
    state: OrderState
    places: int
    taken: int
    points_rate: float | None
    team_id: int | None
    guidance: str | None
    opens_at: datetime | None
    scope: str
    duplicate_of_id: int | None
    reject_reason: str | None
    reviewed_by_id: int | None
    published_at: datetime | None
    created_at: datetime

    @property
    def free(self) -> int:
        return self.places - self.taken


@dataclass(frozen=True)
class ClaimDTO:
    id: int
    order: OrderDTO
    volunteer_id: int
    state: ClaimState
    joined_at: datetime
    offered_at: datetime | None
    offer_expires_at: datetime | None
    guidance_confirmed_at: datetime | None
    cancelled_at: datetime | None
    late_cancel: bool
    version: int = 0  # moves on with each change of state (buttons carry it)
