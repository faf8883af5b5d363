"""Words of broadcasts (bot/services/broadcasts/): each volunteer's copy — the
coordinator's words and photo as composed, a button to mute their category — and the
names of the categories."""

from __future__ import annotations

from bot import callback_data
from bot.i18n import Markup, Translator
from bot.messages.common import Builder, local_time, press_button
from bot.services.broadcasts.broadcasting import BroadcastDTO
from bot.services.broadcasts.notices import BroadcastSent
from bot.services.broadcasts.text import first_line
from bot.services.kernel.dto import Page
from bot.services.kernel.scheduling import PRIORITY_BROADCAST, Outgoing


def category_name(tr: Translator, category: str) -> str:
    return tr.plain(f"broadcast.category_{category}")


def mute_button_label(tr: Translator, category: str) -> str:
    return tr.plain("broadcast.button_mute", category=category_name(tr, category))


def broadcast_sent(n: BroadcastSent, tr: Translator, timezone: str) -> Outgoing:
    """Exactly what the coordinator previewed, with the mute button under it."""
    mute = press_button(
        mute_button_label(tr, n.category), callback_data.MUTE_BROADCASTS, n.broadcast_id
    )
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=n.volunteer_id,
        text=n.text,
        kind="photo" if n.photo else "text",
        file=n.photo,
        buttons=((mute,),),
        priority=PRIORITY_BROADCAST,
    )


def _item(tr: Translator, b: BroadcastDTO, timezone: str) -> Markup:
    f = b.figures
    return tr(
        "broadcasts.item",
        id=b.id,
        when=local_time(b.created_at, timezone),
        unit=b.unit.name(tr.language),
        category=category_name(tr, b.category),
        state=tr.plain(f"broadcasts.state_{b.state}"),
        first_line=first_line(b.text),
        photo="🖼 " if b.photo else "",
        recipients=b.recipients,
        delivered=f.delivered,
        waiting=f.waiting,
        unreachable=f.unreachable,
        failed=f.failed,
    )


def listing(tr: Translator, page: Page[BroadcastDTO], timezone: str) -> Markup:
    """A page of /broadcasts: newest first, each with its figures."""
    if not page.total:
        return tr("broadcasts.none")
    title = tr("broadcasts.title", total=page.total, page=page.page + 1, pages=page.pages)
    items = [_item(tr, b, timezone) for b in page.items]
    return Markup("\n\n".join([title, *items]))


BUILDERS: dict[type, Builder] = {BroadcastSent: broadcast_sent}
