"""Words of broadcasts (bot/services/broadcasts/): each volunteer's copy — the
coordinator's words and photo as composed, a button to mute their category — and the
names of the categories."""

from __future__ import annotations

from bot import callback_data
from bot.i18n import Markup, Translator
from bot.messages.common import Builder, local_time, press_button
from bot.services.broadcasts.broadcasting import BroadcastDTO
from bot.services.broadcasts.notices import BroadcastPosted, BroadcastProgressed, BroadcastSent
from bot.services.broadcasts.text import first_line, fits
from bot.services.broadcasts.views import Progress
from bot.services.kernel.dto import Page
from bot.services.kernel.scheduling import PRIORITY_BROADCAST, PRIORITY_NOTICE, Button, Outgoing

BAR = 10  # cells of the progress bar
# the progress message's buttons: bz:<broadcast id>:<action>
PAUSE, RESUME, CANCEL, CANCEL_YES, CANCEL_NO = range(5)


def category_name(tr: Translator, category: str) -> str:
    return tr.plain(f"broadcast.category_{category}")


def mute_button_label(tr: Translator, category: str) -> str:
    return tr.plain("broadcast.button_mute", category=category_name(tr, category))


def broadcast_sent(n: BroadcastSent, tr: Translator, timezone: str) -> Outgoing:
    """Exactly what the coordinator previewed, with the mute button under it; with an
    activity, its Grab button above — or, once its places are gone, the note that they
    are and the waitlist's button (as a pressed announcement shows then)."""
    mute = press_button(
        mute_button_label(tr, n.category), callback_data.MUTE_BROADCASTS, n.broadcast_id
    )
    rows: tuple[tuple[Button, ...], ...] = ((mute,),)
    text = n.text
    if n.order_id is not None and n.full:
        join = press_button(
            tr.plain("grab.button_join_waitlist"), callback_data.JOIN_WAITLIST, n.order_id
        )
        rows = ((join,), *rows)
        note = tr("grab.full")
        if fits(text, tr.plain("grab.full"), n.photo is not None):
            text = f"{text}\n\n{note}"
    elif n.order_id is not None:  # the activity's places, grabbed as an order's
        label = tr.plain("broadcast.button_grab", places=n.places)
        rows = ((press_button(label, callback_data.GRAB, n.order_id),), *rows)
    return Outgoing(
        chat_id=n.to.telegram_id,
        user_id=n.volunteer_id,
        text=text,
        kind="photo" if n.photo else "text",
        file=n.photo,
        buttons=rows,
        priority=PRIORITY_BROADCAST,
        paid_broadcast=True,  # sent at the paid rate when [delivery] paid_broadcast is on
    )


def _item(tr: Translator, b: BroadcastDTO, timezone: str) -> Markup:
    f = b.figures
    item = tr(
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
    return Markup("\n".join([item, *_places(tr, b)]))


def listing(tr: Translator, page: Page[BroadcastDTO], timezone: str) -> Markup:
    """A page of /broadcasts: newest first, each with its figures."""
    if not page.total:
        return tr("broadcasts.none")
    title = tr("broadcasts.title", total=page.total, page=page.page + 1, pages=page.pages)
    items = [_item(tr, b, timezone) for b in page.items]
    return Markup("\n\n".join([title, *items]))


def _minutes(seconds: float) -> int:
    return max(1, round(seconds / 60))


def _places(tr: Translator, b: BroadcastDTO) -> list[Markup]:
    """The places of the activity it carries, and how many are taken."""
    if b.order_id is None:
        return []
    return [tr("broadcast.progress_places", taken=b.taken, places=b.places)]


def progress_text(tr: Translator, p: Progress, timezone: str) -> Markup:
    """The live progress message: a bar, copies tried of all, what became of them, the
    time left at the rate so far; once finished, the report; before its time, when."""
    b, f = p.broadcast, p.figures
    if b.state == "scheduled" and b.send_at is not None:
        when = local_time(b.send_at, timezone)
        return tr("broadcast.progress_scheduled", id=b.id, when=when, count=b.recipients)
    began = b.started_at or b.created_at  # a scheduled one: from its time, not its writing
    took = (p.now - began).total_seconds() if p.now is not None else 0.0
    if p.finished:
        key = "broadcast.report_cancelled" if b.state == "cancelled" else "broadcast.report"
        lines = [
            tr(
                key,
                id=b.id,
                minutes=_minutes(took),
                delivered=f.delivered,
                unreachable=f.unreachable,
                failed=f.failed,
                cancelled=f.cancelled + max(b.recipients - p.written, 0),
            )
        ]
        lines += _places(tr, b)
        lines += [tr("broadcast.report_failure", reason=r, n=n) for r, n in p.failures]
        return Markup("\n".join(lines))
    total = max(b.recipients, 1)
    done = min(p.tried, total)
    cells = round(BAR * done / total)
    lines = [
        tr("broadcast.progress_title", id=b.id, state=tr.plain(f"broadcasts.state_{b.state}")),
        Markup(f"{'▓' * cells}{'░' * (BAR - cells)} {100 * done // total}%"),
        tr(
            "broadcast.progress_counts",
            tried=done,
            total=b.recipients,
            delivered=f.delivered,
            unreachable=f.unreachable,
            failed=f.failed,
        ),
    ]
    lines += _places(tr, b)
    if b.state == "paused":
        lines.append(tr("broadcast.progress_paused"))
    elif done and took > 0:
        left = took * (b.recipients - done) / done
        lines.append(tr("broadcast.progress_eta", minutes=_minutes(left)))
    return Markup("\n".join(lines))


def progress_buttons(
    tr: Translator, p: Progress, asking_cancel: bool = False
) -> tuple[tuple[Button, ...], ...]:
    """Pause or resume, and cancel (asked first); none once it is over."""
    b = p.broadcast
    if p.finished or b.state not in ("scheduled", "sending", "paused"):
        return ()

    def button(key: str, action: int) -> Button:
        return press_button(tr.plain(key), callback_data.BROADCAST_CONTROL, b.id, action)

    if asking_cancel:
        return (
            (button("broadcast.button_cancel_yes", CANCEL_YES),),
            (button("broadcast.button_cancel_no", CANCEL_NO),),
        )
    if b.state == "scheduled":
        return ((button("broadcast.button_cancel", CANCEL),),)
    toggle = (
        button("broadcast.button_resume", RESUME)
        if b.state == "paused"
        else button("broadcast.button_pause", PAUSE)
    )
    return ((toggle, button("broadcast.button_cancel", CANCEL)),)


def broadcast_progressed(n: BroadcastProgressed, tr: Translator, timezone: str) -> Outgoing:
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=progress_text(tr, n.progress, timezone),
        buttons=progress_buttons(tr, n.progress),
        kind="edit",
        edit_message_id=n.message_id,
        priority=PRIORITY_NOTICE,
    )


def broadcast_posted(n: BroadcastPosted, tr: Translator, timezone: str) -> Outgoing:
    """The words and photo as composed, in the group or channel (no mute button: the
    group's own settings are for that)."""
    return Outgoing(
        chat_id=n.to.telegram_id,
        text=n.text,
        kind="photo" if n.photo else "text",
        file=n.photo,
        priority=PRIORITY_NOTICE,
    )


BUILDERS: dict[type, Builder] = {
    BroadcastPosted: broadcast_posted,
    BroadcastSent: broadcast_sent,
    BroadcastProgressed: broadcast_progressed,
}
