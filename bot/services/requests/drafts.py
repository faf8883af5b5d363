"""The drafts of a request for help (and of a coordinator's activity, and of a
reviewer's edit and decision): the answers as the flows in handlers/requests/ gather
them, each checked by the function :func:`check_form` and the publishing checks use,
and turned into the :class:`OrderForm` and :class:`Publication` the services take.

Whether a window is still ahead depends on the clock, not on the value: the steps check
it when it is answered (bot/services/requests/windows.py), the service again at the
end; a stored draft is never dropped because its time has passed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from bot.services.kernel.drafts import Draft, PhoneAnswer, checked, needed, typed_text
from bot.services.kernel.validation import clean_name, normalize_phone
from bot.services.requests.common import check_rate
from bot.services.requests.forms import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    OrderForm,
    check_helpers,
)
from bot.services.requests.publish import GUIDANCE_MAX, Publication, check_places

Address = Annotated[str | None, typed_text("address", ADDRESS_MAX)]


class OrderAnswers(PhoneAnswer):
    """What, when, where, whom to call; for whom."""

    choose_community: bool = False  # a coordinator chooses among their unit's
    street_id: int | None = None
    community_id: int | None = None
    category: str | None = None
    title: Annotated[str | None, typed_text("title", TITLE_MAX)] = None  # an activity's
    description: Annotated[str | None, typed_text("description", DESCRIPTION_MAX)] = None
    day: date | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    typed_window: bool = False  # day and window typed at once: no window question
    address: Address = None
    latitude: float | None = None
    longitude: float | None = None
    helpers: Annotated[int | None, checked(check_helpers)] = None
    behalf: bool = False  # for someone without Telegram
    b_name: Annotated[str | None, checked(clean_name)] = None
    b_phone: Annotated[str | None, checked(normalize_phone)] = None
    b_address: Address = None

    def form(self) -> OrderForm:
        """The request as the service takes it (checked again there)."""
        return OrderForm(
            category=needed(self.category, "category"),
            description=needed(self.description, "description"),
            starts_at=needed(self.starts_at, "starts_at"),
            ends_at=needed(self.ends_at, "ends_at"),
            community_id=needed(self.community_id, "community"),
            address=needed(self.address, "address"),
            contact_phone=needed(self.phone, "phone"),
            helpers_requested=needed(self.helpers, "helpers"),
            latitude=self.latitude,
            longitude=self.longitude,
            beneficiary_name=self.b_name if self.behalf else None,
            beneficiary_phone=self.b_phone if self.behalf else None,
            beneficiary_address=self.b_address if self.behalf else None,
            title=self.title,
        )


class RequestDraft(OrderAnswers):
    """/request: a resident's (or a coordinator's, on someone's behalf)."""


class ReviewEditDraft(OrderAnswers):
    """A reviewer's edit: the request's answers, and a copy to tell what changed."""

    order: int | None = None
    number: str | None = None
    original: OrderAnswers | None = None

    def changes(self) -> dict[str, object]:
        """The OrderForm fields the reviewer changed."""
        original, edited = needed(self.original, "original").form(), self.form()
        return {
            name: value
            for name, value in vars(edited).items()
            if name != "community_id" and value != getattr(original, name)
        }


class ReviewDraft(Draft):
    """Reject, or mark a duplicate: of which order."""

    order: int | None = None


class PublishAnswers(Draft):
    """What publishing asks: places, points rate, team, guidance, opening, scope."""

    order: int | None = None  # the reviewed request (an activity has none yet)
    defaults: bool = False  # "publish with these defaults": a summary to confirm
    places: Annotated[int | None, checked(check_places)] = None
    rate: Annotated[float | None, checked(check_rate)] = None  # None: [points] rate_per_hour
    team: int | None = None  # None: any team
    guidance: Annotated[str | None, typed_text("guidance", GUIDANCE_MAX)] = None
    opens: datetime | None = None  # None: at once
    scope: str | None = None

    def publication(self) -> Publication:
        return Publication(
            places=needed(self.places, "places"),
            points_rate=self.rate,
            team_id=self.team,
            guidance=self.guidance,
            opens_at=self.opens,
            scope=self.scope or "community",
        )


class ApproveDraft(PublishAnswers):
    """A reviewed request approved: published with these answers."""


class ActivityDraft(OrderAnswers, PublishAnswers):
    """A coordinator's own activity: a request's answers, then publishing's."""
