"""Exports as files (bot/services/reports/exports.py): the table's column titles in the
reader's language, its cells as people read them (hours and points as numbers, names of
communities, states and categories), as CSV — UTF-8 with a byte-order mark, so that
Excel opens Chinese right — or XLSX through openpyxl (a bold header, frozen, columns as
wide as what they hold)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.i18n import Markup, Translator
from bot.services.kernel.dto import UnitDTO
from bot.services.reports.exports import Cell, Table

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def titles(tr: Translator, table: Table) -> list[str]:
    return [tr.plain(f"export.column_{c}") for c in table.columns]


def cells(tr: Translator, table: Table) -> list[list[Cell]]:
    """The rows as people read them."""

    def community(ident: Cell) -> str:
        unit = table.communities.get(int(ident))
        return unit.name(tr.language) if unit is not None else str(ident)

    out: list[list[Cell]] = []
    for row in table.rows:
        if table.kind == "hours":
            name, where, services, minutes = row
            out.append([name, community(where), services, round(int(minutes) / 60, 2)])
        elif table.kind == "points":
            name, where, earned, spent, balance = row
            out.append(
                [name, community(where), int(earned) / 10, int(spent) / 10, int(balance) / 10]
            )
        elif table.kind == "orders":
            state, code, n = row
            category = table.categories.get(str(code))
            out.append(
                [
                    tr.plain(f"myrequests.state_{state}"),
                    category.name(tr.language) if category else str(code),
                    n,
                ]
            )
        else:
            name, where, n, average = row
            out.append([name, community(where), n, round(float(average), 2)])
    return out


def kind_label(tr: Translator, kind: str) -> str:
    return tr.plain(f"export.kind_{kind}")


def format_label(tr: Translator, fmt: str) -> str:
    return tr.plain(f"report.format_{fmt}")


def report_text(tr: Translator, unit: UnitDTO, month: date, kind: str, fmt: str) -> Markup:
    """/report: what will be exported."""
    return tr(
        "report.choose",
        unit=unit.name(tr.language),
        month=f"{month:%Y-%m}",
        kind=kind_label(tr, kind),
        format=format_label(tr, fmt),
    )


def filename(tr: Translator, table: Table, fmt: str) -> str:
    kind = kind_label(tr, table.kind)
    return f"{table.unit.name(tr.language)}-{kind}-{table.month:%Y-%m}.{fmt}"


def as_csv(tr: Translator, table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(titles(tr, table))
    writer.writerows(cells(tr, table))
    return buffer.getvalue().encode("utf-8-sig")


def _width(values: Sequence[Cell]) -> float:
    """A column as wide as its longest cell (a CJK character counts two)."""
    longest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(v)) for v in values), default=4)
    return min(max(longest + 2, 6), 60)


def as_xlsx(tr: Translator, table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = kind_label(tr, table.kind)[:31]
    head = titles(tr, table)
    rows = cells(tr, table)
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, title in enumerate(head, start=1):
        column = [title, *(r[index - 1] for r in rows)]
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_file(tr: Translator, table: Table, fmt: str) -> bytes:
    return as_xlsx(tr, table) if fmt == "xlsx" else as_csv(tr, table)
