"""The organisation file (TOML): the district, its streets, communities and grids, and
the specialty teams. Units and teams are data, not code; see orgs.example.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from storage.enums import UnitKind

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
Name = Annotated[str, Field(min_length=1, max_length=128)]


class OrgFileError(Exception):
    pass


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: Code
    name_zh: Name
    name_en: Name


class DistrictEntry(_Entry):
    pass


class StreetEntry(_Entry):
    pass


class CommunityEntry(_Entry):
    street: Code


class GridEntry(_Entry):
    community: Code


class TeamEntry(_Entry):
    pass


class CategoryEntry(BaseModel):
    """A kind of request, with the guidance volunteers are given before they go."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    name_zh: Name
    name_en: Name
    guidance_zh: Annotated[str, Field(min_length=1, max_length=2000)]
    guidance_en: Annotated[str, Field(min_length=1, max_length=2000)]


class OrgFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    district: DistrictEntry
    street: list[StreetEntry] = []
    community: list[CommunityEntry] = []
    grid: list[GridEntry] = []
    team: list[TeamEntry] = []
    category: list[CategoryEntry] = []

    @model_validator(mode="after")
    def _references(self) -> OrgFile:
        units = [self.district, *self.street, *self.community, *self.grid]
        seen: set[str] = set()
        for unit in units:
            if unit.code in seen:
                raise ValueError(f"unit code {unit.code!r} is used twice")
            seen.add(unit.code)
        streets = {s.code for s in self.street}
        communities = {c.code for c in self.community}
        for c in self.community:
            if c.street not in streets:
                raise ValueError(f"community {c.code!r}: no street {c.street!r}")
        for g in self.grid:
            if g.community not in communities:
                raise ValueError(f"grid {g.code!r}: no community {g.community!r}")
        team_codes: set[str] = set()
        for t in self.team:
            if t.code in team_codes:
                raise ValueError(f"team code {t.code!r} is used twice")
            team_codes.add(t.code)
        category_codes: set[str] = set()
        for k in self.category:
            if k.code in category_codes:
                raise ValueError(f"category code {k.code!r} is used twice")
            category_codes.add(k.code)
        return self

    def units(self) -> list[tuple[UnitKind, _Entry, str | None]]:
        """(kind, entry, parent code), parents before children, in file order."""
        result: list[tuple[UnitKind, _Entry, str | None]] = [
            (UnitKind.DISTRICT, self.district, None)
        ]
        result += [(UnitKind.STREET, s, self.district.code) for s in self.street]
        result += [(UnitKind.COMMUNITY, c, c.street) for c in self.community]
        result += [(UnitKind.GRID, g, g.community) for g in self.grid]
        return result


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """``("community", 2, "name_zh")`` → ``community[3] (code 'x.y').name_zh``: the entry
    by its position in the file and, when it has one, its code."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            label = f"{parts[-1]}[{part + 1}]" if parts else f"[{part + 1}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("code"), str):
                label += f" (code {node['code']!r})"
            if parts:
                parts[-1] = label
            else:
                parts.append(label)
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return ".".join(parts) or "(file)"


_SECTIONS: dict[str, type[BaseModel]] = {
    "district": DistrictEntry,
    "street": StreetEntry,
    "community": CommunityEntry,
    "grid": GridEntry,
    "team": TeamEntry,
    "category": CategoryEntry,
}


def _allowed(loc: tuple[Any, ...]) -> str:
    model = _SECTIONS.get(str(loc[0])) if len(loc) > 1 else None
    if model is None:
        return "[district], [[street]], [[community]], [[grid]], [[team]], [[category]]"
    return ", ".join(model.model_fields)


def parse_org_file(path: Path) -> OrgFile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OrgFileError(f"{path}: no such org file") from None
    except UnicodeDecodeError:
        raise OrgFileError(f"{path}: not valid TOML: the file must be UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise OrgFileError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise OrgFileError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        return OrgFile.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: invalid org file"]
        for item in exc.errors():
            if item["type"] == "extra_forbidden":
                msg = f"unknown key (allowed: {_allowed(tuple(item['loc']))})"
            else:
                msg = str(item["msg"]).removeprefix("Value error, ")
            lines.append(f"  {_where(tuple(item['loc']), data)}: {msg}")
        raise OrgFileError("\n".join(lines)) from None
