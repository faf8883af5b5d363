"""Exports (the coordinator's desk), on SQLite and PostgreSQL: a month's hours, points,
orders and ratings of a unit equal the database's figures; the XLSX opens with openpyxl
(a bold header, Chinese titles in zh, the same rows) and the CSV is UTF-8 with a BOM;
a street's coordinator cannot export another street; the command line writes the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main as cli_main
from bot.container import Services
from bot.i18n import get_translator
from bot.messages.exports import as_csv, as_xlsx, titles
from bot.services.kernel.errors import NotInScope
from storage.database import Database
from tests.support.points import completed
from tests.support.services import (
    COMMUNITY,
    ORG_FILE,
    OTHER_STREET,
    STREET,
    FakeClock,
    Org,
    coordinator,
)


async def test_a_month_s_tables_are_the_database_s_figures(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    boss, order, people, _ = await completed(db, services, org, clock, 2, hours=2)
    month = services.exports.this_month()
    street = await coordinator(services, 9301, STREET)
    table = await services.exports.table(street, "hours", month)
    assert table.unit.id == org[STREET].id
    names = {p.id: f"志愿者{p.telegram_id}" for p in people}  # as registered
    assert sorted(table.rows) == sorted((names[p.id], org[COMMUNITY].id, 1, 120) for p in people)
    points = await services.exports.table(street, "points", month)
    assert sorted(points.rows) == sorted(
        (names[p.id], org[COMMUNITY].id, 60, 0, 60) for p in people
    )
    orders = await services.exports.table(street, "orders", month)
    assert orders.rows == (("completed", "elderly_visit", 1),)
    last = await services.exports.table(street, "hours", services.exports.this_month(1))
    assert last.rows == ()  # nothing the month before

    zh = get_translator("zh_CN")
    book = load_workbook(io.BytesIO(as_xlsx(zh, table)))
    sheet = book.active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == titles(zh, table) == ["姓名", "社区", "服务次数", "服务时长（小时）"]
    assert sheet["A1"].font.bold
    community = org[COMMUNITY].name("zh_CN")
    assert sorted(values[1:]) == sorted([names[p.id], community, 1, 2] for p in people)

    data = as_csv(get_translator("en"), table)
    assert data.startswith("\ufeff".encode())  # so that Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Community", "Services", "Hours"] and len(rows) == 3

    other = await coordinator(services, 9302, OTHER_STREET)
    with pytest.raises(NotInScope):
        await services.exports.table(other, "hours", month, org[STREET].id)
    assert boss is not None and order is not None


def test_the_command_line_writes_the_export(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli_main(["org", "import", str(ORG_FILE)]) == 0
    out = tmp_path / "orders.csv"
    assert (
        cli_main(["export", "orders", "--month", "2026-10", "--format", "csv", "--out", str(out)])
        == 0
    )
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["状态", "类别", "订单数"]
    assert cli_main(["export", "orders", "--month", "October"]) != 0  # said how to write it
