"""What a requester (or a coordinator) gives for an order, and its checks:
:class:`OrderForm`, :func:`check_form`, the limits of each field, and what a reviewer
may correct of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime

from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.validation import clean_name, free_text, normalize_phone, optional_text
from bot.services.requests import windows
from storage.models import Order

TITLE_MAX = 100
DESCRIPTION_MAX = 2000
ADDRESS_MAX = 500
HELPERS_MAX = 200
CATEGORY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


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


def check_helpers(helpers: int) -> int:
    if not 1 <= helpers <= HELPERS_MAX:
        raise InvalidValue("helpers", "range", min=1, max=HELPERS_MAX)
    return helpers


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
    check_helpers(form.helpers_requested)
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
