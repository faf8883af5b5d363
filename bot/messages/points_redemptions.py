"""Words of a coordinator's list of the redemptions still to hand over (/redemptions):
each with the volunteer, the reward, its cost and when; what was just decided on top;
and, when there is none, what happens next. Names are escaped by the translator."""

from __future__ import annotations

from bot.i18n import Markup, Translator
from bot.messages.common import local_time, points_text
from bot.services.kernel.dto import Page
from bot.services.points.redemption_decisions import PAGE_SIZE, PendingRedemption


def first_index(page: Page[PendingRedemption]) -> int:
    """The number the page's first entry has in the whole list."""
    return 1 + page.page * PAGE_SIZE


def pending_text(
    tr: Translator, page: Page[PendingRedemption], timezone: str, note: str | None = None
) -> Markup:
    head = [note] if note else []
    if not page.total:
        return Markup("\n\n".join([*head, tr("redemptions.none")]))
    title = tr("redemptions.title", total=page.total, page=page.page + 1, pages=page.pages)
    items = [
        tr(
            "redemptions.item",
            index=index,
            volunteer=p.volunteer_name,
            name=p.redemption.reward_name,
            cost=points_text(p.redemption.cost),
            id=p.redemption.id,
            when=local_time(p.redemption.created_at, timezone),
        )
        for index, p in enumerate(page.items, start=first_index(page))
    ]
    return Markup("\n\n".join([*head, title, "\n".join(items), tr("redemptions.hint")]))
