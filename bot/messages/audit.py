"""Words of the audit log's reader (bot/services/reports/audit.py): a page of entries —
when, who, what (the action's own code, under its kind's name), which unit, on what,
and its details (each value escaped, long ones cut)."""

from __future__ import annotations

from html import escape

from bot.i18n import Markup, Translator
from bot.messages.common import local_time
from bot.services.kernel.dto import Page
from bot.services.reports.audit import Entry

DETAIL_MAX = 60  # characters of one detail's value


def kind_label(tr: Translator, kind: str) -> str:
    key = f"audit.kind_{kind}"
    return tr.plain(key) if key in tr else kind


def _detail(entry: Entry) -> str:
    parts = []
    for key, value in entry.detail.items():
        text = "—" if value is None else str(value)
        if len(text) > DETAIL_MAX:
            text = text[: DETAIL_MAX - 1] + "…"
        parts.append(f"{escape(str(key))}={escape(text)}")
    return " · ".join(parts)


def entry_text(tr: Translator, e: Entry, timezone: str) -> Markup:
    family = e.action.split(".", 1)[0]
    lines = [
        tr(
            "audit.entry",
            when=local_time(e.at, timezone),
            actor=e.actor,
            kind=kind_label(tr, family),
            action=e.action,
            unit=e.unit.name(tr.language) if e.unit else "—",
            target=e.target or "—",
        )
    ]
    detail = _detail(e)
    if detail:
        lines.append(Markup(f"  <i>{detail}</i>"))
    return Markup("\n".join(lines))


def page_text(tr: Translator, page: Page[Entry], timezone: str, kind: str | None) -> Markup:
    if not page.total:
        return tr("audit.none")
    title = tr(
        "audit.title",
        kind=kind_label(tr, kind) if kind else tr.plain("audit.all"),
        total=page.total,
        page=page.page + 1,
        pages=page.pages,
    )
    return Markup("\n\n".join([title, *(entry_text(tr, e, timezone) for e in page.items)]))
