"""The service-record certificate as a PDF (bot/services/recognition/certificates.py):
in Chinese, with an English line under each Chinese one for a reader of English; the
CJK font (``[recognition] certificate_font``) embedded, a subset of it, so that it
prints and its text can be searched. And the words of /verify."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF

from bot.i18n import Markup, Translator, get_translator
from bot.messages.common import hours
from bot.services.recognition.certificates import Issued, Record, Verified

FONT = "cjk"
WIDTHS = (26, 74, 50, 36)  # date, what, unit, hours (mm; an A4 page is 186 mm inside)


class FontMissing(Exception):
    """The certificate's font is not where the configuration says."""


def _label(zh: Translator, tr: Translator, key: str, **values: object) -> str:
    """The Chinese words, and the reader's English under or beside them."""
    text = zh.plain(key, **values)
    if tr.language != zh.language:
        text = f"{text} / {tr.plain(key, **values)}"
    return text


def _what(r: Record) -> str:
    name = r.title or (r.category.name("zh_CN") if r.category else "")
    return f"{r.number} {name}".strip()


def _day(at: datetime, timezone: str) -> str:
    return f"{at.astimezone(ZoneInfo(timezone)):%Y-%m-%d}"


def file_name(issued: Issued) -> str:
    return f"志愿服务记录证明-{issued.serial}.pdf"


def as_pdf(tr: Translator, issued: Issued, font: str, timezone: str) -> bytes:
    zh = get_translator("zh_CN")
    pdf = FPDF(format="A4")
    pdf.set_margins(12, 14, 12)
    pdf.set_auto_page_break(True, 16)
    try:
        pdf.add_font(FONT, fname=font)
    except (FileNotFoundError, OSError) as exc:
        raise FontMissing(font) from exc
    pdf.set_title(f"{zh.plain('certificate.title')} {issued.serial}")
    pdf.add_page()
    pdf.set_font(FONT, size=20)
    pdf.cell(0, 12, zh.plain("certificate.title"), align="C", new_x="LMARGIN", new_y="NEXT")
    if tr.language != zh.language:
        pdf.set_font(FONT, size=12)
        pdf.cell(0, 7, tr.plain("certificate.title"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, size=11)
    fields = [
        ("certificate.name", issued.name),
        ("certificate.phone", issued.masked_phone),
        ("certificate.total", hours(issued.minutes)),
        ("certificate.services", str(len(issued.records))),
    ]
    for key, value in fields:
        pdf.cell(0, 7, f"{_label(zh, tr, key)}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=9)
    heads = ("certificate.col_date", "certificate.col_what", "certificate.col_unit")
    for key, width in zip((*heads, "certificate.col_hours"), WIDTHS, strict=True):
        pdf.cell(width, 8, _fit(pdf, _label(zh, tr, key), width), border=1, align="C")
    pdf.ln()
    pdf.set_font(FONT, size=10)
    for r in issued.records:
        unit = r.unit.name("zh_CN") if r.unit else ""
        cells = (_day(r.at, timezone), _what(r), unit, hours(r.minutes))
        for text, width in zip(cells, WIDTHS, strict=True):
            pdf.cell(width, 7, _fit(pdf, text, width), border=1)
        pdf.ln()
    pdf.ln(6)
    pdf.set_font(FONT, size=11)
    issuer = issued.unit.name("zh_CN") if issued.unit else ""
    footer = [
        ("certificate.issuer", issuer),
        ("certificate.serial", issued.serial),
        ("certificate.date", _day(issued.issued_at, timezone)),
    ]
    for key, value in footer:
        pdf.cell(0, 7, f"{_label(zh, tr, key)}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 5, _label(zh, tr, "certificate.verify_hint", serial=issued.serial))
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text cut (…) to what fits in a cell ``width`` mm wide."""
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "…") > width - 2:
        text = text[:-1]
    return text + "…"


def sent_text(tr: Translator, issued: Issued) -> Markup:
    return tr.ngettext(
        "certificate.sent",
        len(issued.records),
        serial=issued.serial,
        hours=hours(issued.minutes),
        services=len(issued.records),
    )


def verified_text(tr: Translator, v: Verified | None, timezone: str) -> Markup:
    if v is None:
        return tr("certificate.not_found")
    return tr.ngettext(
        "certificate.verified",
        v.services,
        serial=v.serial,
        name=v.name,
        unit=v.unit.name(tr.language) if v.unit else "—",
        date=_day(v.issued_at, timezone),
        hours=hours(v.minutes),
        services=v.services,
    )
