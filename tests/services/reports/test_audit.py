"""The audit log's reader, on SQLite and PostgreSQL: a street's coordinator reads the
entries of their street and below, newest first, paged — not another street's, nor
those of no unit; the district's administrator reads all, those of no unit too; by
kind and by person; the command line prints them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main as cli_main
from bot.container import Services
from bot.services.kernel.errors import NotAllowed
from storage.database import Database
from storage.repositories import audit as audit_repo
from tests.support.services import (
    COMMUNITY,
    DISTRICT,
    ORG_FILE,
    OTHER_COMMUNITY,
    OTHER_STREET,
    STREET,
    Org,
    coordinator,
)


async def write(db: Database, org: Org, actor_id: int) -> None:
    """12 order entries in COMMUNITY (of STREET), 2 broadcasts in OTHER_COMMUNITY, one of
    no unit (the command line's)."""
    async with db.transaction() as session:
        for n in range(12):
            await audit_repo.record(
                session,
                action="order.complete",
                actor_id=actor_id,
                unit_id=org[COMMUNITY].id,
                target_kind="order",
                target_id=n + 1,
                detail={"n": n, "note": "<b>x</b>"},
            )
        for n in range(2):
            await audit_repo.record(
                session, action="broadcast.sent", unit_id=org[OTHER_COMMUNITY].id, target_id=n
            )
        await audit_repo.record(session, action="coordinator.appoint", actor_label="cli")


async def test_each_coordinator_reads_their_unit_s_entries(
    db: Database, services: Services, org: Org
) -> None:
    street = await coordinator(services, 9201, STREET)
    await write(db, org, street.id)
    # their own appointment (of their street) and the 12 orders
    assert (await services.audit.page(street, 0)).total == 13
    first = await services.audit.page(street, 0, kind="order")
    assert (first.total, first.pages, len(first.items)) == (12, 2, 10)
    assert [e.target for e in first.items][:2] == ["order #12", "order #11"]  # newest first
    second = await services.audit.page(street, 1, kind="order")
    assert [e.target for e in second.items] == ["order #2", "order #1"]
    assert first.items[0].actor == street.first_name
    assert await services.audit.kinds(street) == ["coordinator", "order"]
    assert (await services.audit.page(street, 0, kind="broadcast")).total == 0

    other = await coordinator(services, 9202, OTHER_STREET)
    theirs = (await services.audit.page(other, 0, kind="broadcast")).items
    assert [e.action for e in theirs] == ["broadcast.sent"] * 2
    assert (await services.audit.page(other, 0, kind="order")).total == 0

    admin = await coordinator(services, 9203, DISTRICT)
    everything = await services.audit.page(admin, 0, size=50)
    # 12 orders, 2 broadcasts, the 3 appointments and the entry of no unit
    assert everything.total == 18
    assert "" in {e.unit.code if e.unit else "" for e in everything.items}
    assert await services.audit.kinds(admin) == ["broadcast", "coordinator", "order"]
    mine = await services.audit.page(admin, 0, person_telegram_id=street.telegram_id)
    assert mine.total == 12
    assert (await services.audit.page(admin, 0, person_telegram_id=1)).total == 0

    volunteer = street.__class__(1, 1, "v", "zh_CN", None, org[COMMUNITY].id)
    with pytest.raises(NotAllowed):
        await services.audit.page(volunteer, 0)


def test_the_command_line_prints_the_log(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli_main(["org", "import", str(ORG_FILE)]) == 0
    assert cli_main(["admin", "add", "9204", "--unit", "longyang"]) == 0
    capsys.readouterr()
    assert cli_main(["audit", "--unit", "longyang", "--kind", "coordinator"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all("\tcoordinator." in line and "\tlongyang\t" in line for line in lines)
    assert '"telegram_id": 9204' in lines[0]  # the newest first: ours
    assert cli_main(["audit", "--since", "yesterday"]) != 0
