"""The org file and its idempotent import (SQLite and PostgreSQL), and unit lookup."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services.kernel.errors import InvalidValue
from bot.services.org.org_file import OrgFileError, parse_org_file
from bot.services.org.units import OrgService
from storage.database import Database
from storage.models import OrgUnit, Team

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "orgs.example.toml"
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")

HEADER = """
[district]
code = "d"
name_zh = "区"
name_en = "District"

[[street]]
code = "s"
name_zh = "街道"
name_en = "Street"
"""


def variant(tmp_path: Path, text: str, name: str = "orgs.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def all_units(db: Database) -> dict[str, OrgUnit]:
    async with db.read() as session:
        return {u.code: u for u in await session.scalars(select(OrgUnit))}


async def team_count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Team)) or 0)


def assert_paths_consistent(units: dict[str, OrgUnit]) -> None:
    by_id = {u.id: u for u in units.values()}
    for unit in units.values():
        parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
        expected = f"{parent.path if parent else '/'}{unit.id}/"
        assert unit.path == expected, unit.code


async def test_import_example(db: Database) -> None:
    report = await OrgService(db).import_file(EXAMPLE)
    assert (report.created, report.updated, report.unchanged) == (19, 0, 0)
    assert (report.teams_created, report.teams_updated) == (7, 0)

    units = await all_units(db)
    kinds = Counter(u.kind for u in units.values())
    assert kinds == {"district": 1, "street": 11, "community": 4, "grid": 3}
    assert await team_count(db) == 7
    assert_paths_consistent(units)

    district = units["hanyang"]
    assert (district.parent_id, district.name_zh) == (None, "汉阳区")
    assert units["longyang"].parent_id == district.id
    assert units["longyang"].name_zh == "龙阳街道"
    community = units["longyang.longhudongan"]
    assert (community.name_zh, community.parent_id) == ("龙湖东岸社区", units["longyang"].id)
    assert units["yongfeng.longmo"].parent_id == units["yongfeng"].id
    assert units["sixin.zonggangxian"].parent_id == units["sixin"].id
    assert units["zhoutou.hongjian"].parent_id == units["zhoutou"].id
    for grid in ("grid1", "grid2", "grid3"):
        assert units[f"longyang.longhudongan.{grid}"].parent_id == community.id

    teams = await OrgService(db).teams()
    assert [t.name_zh for t in teams][:2] == ["卫生健康", "应急救援"]
    assert "心理咨询" in {t.name_zh for t in teams}


async def test_second_import_changes_nothing(db: Database) -> None:
    service = OrgService(db)
    await service.import_file(EXAMPLE)
    before = {code: (u.id, u.path, u.name_zh, u.sort) for code, u in (await all_units(db)).items()}

    report = await service.import_file(EXAMPLE)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 19)
    assert (report.teams_created, report.teams_updated) == (0, 0)
    assert not report.changed
    after = {code: (u.id, u.path, u.name_zh, u.sort) for code, u in (await all_units(db)).items()}
    assert after == before
    assert await team_count(db) == 7


async def test_renamed_community_is_updated_not_duplicated(db: Database, tmp_path: Path) -> None:
    service = OrgService(db)
    await service.import_file(EXAMPLE)
    old = (await all_units(db))["yongfeng.longmo"]
    renamed = variant(
        tmp_path,
        EXAMPLE_TEXT.replace('"龙磨社区"', '"龙磨新社区"').replace(
            '"Longmo Community"', '"New Longmo Community"'
        ),
    )

    report = await service.import_file(renamed)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 18)
    units = await all_units(db)
    assert len(units) == 19
    new = units["yongfeng.longmo"]
    assert (new.id, new.path, new.parent_id) == (old.id, old.path, old.parent_id)
    assert (new.name_zh, new.name_en) == ("龙磨新社区", "New Longmo Community")
    assert (await service.unit_by_code("yongfeng.longmo")).name_zh == "龙磨新社区"  # type: ignore[union-attr]


async def test_moved_community_takes_its_grids_along(db: Database, tmp_path: Path) -> None:
    """Grids follow a community that moves to another street, also grids the new file
    leaves out (nothing is deleted, so their paths must be repaired)."""
    service = OrgService(db)
    await service.import_file(EXAMPLE)
    moved_text = EXAMPLE_TEXT.replace(
        'code = "longyang.longhudongan"\nstreet = "longyang"',
        'code = "longyang.longhudongan"\nstreet = "yongfeng"',
    )
    assert moved_text != EXAMPLE_TEXT
    blocks = moved_text.split("\n\n")
    without_grids = "\n\n".join(b for b in blocks if not b.startswith("[[grid]]"))
    assert len(parse_org_file(variant(tmp_path, without_grids, "check.toml")).grid) == 0

    report = await service.import_file(variant(tmp_path, without_grids))

    assert report.updated == 1 and report.created == 0
    units = await all_units(db)
    assert len(units) == 19
    assert units["longyang.longhudongan"].parent_id == units["yongfeng"].id
    assert_paths_consistent(units)
    yongfeng = await service.unit_by_code("yongfeng")
    grid = await service.unit_by_code("longyang.longhudongan.grid1")
    assert yongfeng is not None and grid is not None
    assert yongfeng.contains(grid)


async def test_a_bad_file_leaves_the_database_untouched(db: Database, tmp_path: Path) -> None:
    bad = variant(tmp_path, EXAMPLE_TEXT.replace('code = "yongfeng.longmo"', 'code = "Bad Code"'))
    with pytest.raises(OrgFileError, match=r"community\[2\] \(code 'Bad Code'\)\.code"):
        await OrgService(db).import_file(bad)
    assert await all_units(db) == {}


async def test_find_unit_by_code_or_exact_name(db: Database, tmp_path: Path) -> None:
    service = OrgService(db)
    await service.import_file(EXAMPLE)
    by_code = await service.find_unit("longyang")
    by_zh = await service.find_unit("龙阳街道")
    by_en = await service.find_unit(" Longyang Subdistrict ")
    assert by_code is not None and by_code.code == "longyang"
    assert by_zh == by_code and by_en == by_code
    assert await service.find_unit("龙阳") is None  # names must be exact
    assert await service.find_unit("longyang subdistrict") is None
    assert await service.find_unit("") is None
    roots = await service.roots()
    assert [u.code for u in roots] == ["hanyang"]

    # a second community with a "第一网格" makes that name ambiguous; codes still work
    extra = variant(
        tmp_path,
        HEADER.replace('"d"', '"hanyang"')
        + '\n[[community]]\ncode = "s.c"\nstreet = "s"\nname_zh = "社区"\nname_en = "C"\n'
        + '\n[[grid]]\ncode = "s.c.g1"\ncommunity = "s.c"\nname_zh = "第一网格"\nname_en = "G1"\n',
    )
    await service.import_file(extra)
    with pytest.raises(InvalidValue) as info:
        await service.find_unit("第一网格")
    assert info.value.reason == "ambiguous"
    assert sorted(info.value.values["codes"]) == ["longyang.longhudongan.grid1", "s.c.g1"]  # type: ignore[call-overload]
    found = await service.find_unit("s.c.g1")
    assert found is not None and found.name_zh == "第一网格"


# ---- the file format (no database) ----------------------------------------------------


def test_example_file_parses() -> None:
    org = parse_org_file(EXAMPLE)
    assert org.district.code == "hanyang"
    assert len(org.street) == 11 and len(org.community) == 4
    assert len(org.grid) == 3 and len(org.team) == 7
    assert {s.code for s in org.street} >= {"longyang", "yongfeng", "sixin", "zhoutou"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '\n[[street]]\ncode = "s"\nname_zh = "重复"\nname_en = "Again"\n',
            "unit code 's' is used twice",
        ),
        (
            '\n[[community]]\ncode = "x.c"\nstreet = "nowhere"\nname_zh = "社"\nname_en = "C"\n',
            "community 'x.c': no street 'nowhere'",
        ),
        (
            '\n[[grid]]\ncode = "x.g"\ncommunity = "s"\nname_zh = "格"\nname_en = "G"\n',
            "grid 'x.g': no community 's'",
        ),
        (
            '\n[[community]]\ncode = "s.c"\nstreet = "s"\nname_zh = "社"\nname_en = "C"\n'
            'colour = "red"\n',
            "community[1] (code 's.c').colour: unknown key",
        ),
        (
            '\n[[team]]\ncode = "t"\nname_zh = "队"\nname_en = "T"\n'
            '\n[[team]]\ncode = "t"\nname_zh = "队"\nname_en = "T"\n',
            "team code 't' is used twice",
        ),
        ('\n[[streets]]\ncode = "x"\n', "streets: unknown key"),
        ('\n[[team]]\ncode = "t"\nname_zh = ""\nname_en = "T"\n', "team[1] (code 't').name_zh"),
    ],
)
def test_bad_org_files_name_the_entry(tmp_path: Path, extra: str, message: str) -> None:
    path = variant(tmp_path, HEADER + extra)
    with pytest.raises(OrgFileError) as info:
        parse_org_file(path)
    assert str(info.value).startswith(f"{path}: invalid org file")
    assert message in str(info.value)


def test_unreadable_org_files(tmp_path: Path) -> None:
    with pytest.raises(OrgFileError, match="no such org file"):
        parse_org_file(tmp_path / "absent.toml")
    with pytest.raises(OrgFileError, match="not valid TOML"):
        parse_org_file(variant(tmp_path, "[district\n"))
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(OrgFileError, match="UTF-8"):
        parse_org_file(binary)
    with pytest.raises(OrgFileError, match="district: Field required"):
        parse_org_file(variant(tmp_path, '[[street]]\ncode = "s"\nname_zh = "a"\nname_en = "b"\n'))
