"""The Bot API description the sandbox validates against: api.json, or a built-in fallback."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# sandbox/spec.py → parents[1] is the repository root; the spec lives beside it.
DEFAULT_SPEC_PATH = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "telegram-bot-api-spec" / "api.json"
)
SPEC_ENV = "SANDBOX_BOT_API_SPEC"
_DISCRIMINATOR_RE = re.compile(r"(?:must be|always) [\"“]?([a-z_]+)")


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool
    description: str = ""


@dataclass
class ApiSpec:
    """Methods and types, each a list of fields; ``source`` says where they came from."""

    source: str
    from_file: bool
    methods: dict[str, list[Field]]
    types: dict[str, list[Field]]
    subtypes: dict[str, list[str]] = field(default_factory=dict)
    # subtype name -> (discriminating field, value), e.g. BotCommandScopeChat -> ("type", "chat")
    discriminators: dict[str, tuple[str, str]] = field(default_factory=dict)
    # types that may be given as a plain string (KeyboardButton: "String can be used instead")
    string_ok: set[str] = field(default_factory=set)
    _by_lower: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_lower = {name.lower(): name for name in self.methods}
        for parents in self.subtypes.values():
            for sub in parents:
                fields = self.types.get(sub) or []
                if sub in self.discriminators or not fields:
                    continue
                m = _DISCRIMINATOR_RE.search(fields[0].description)
                if m:
                    self.discriminators[sub] = (fields[0].name, m.group(1))

    def canonical_method(self, name: str) -> str | None:
        return self._by_lower.get(name.lower())

    def method_field(self, method: str, name: str) -> Field | None:
        return next((f for f in self.methods.get(method, []) if f.name == name), None)

    def type_field(self, type_name: str, name: str) -> Field | None:
        return next((f for f in self.types.get(type_name, []) if f.name == name), None)


def _fields(raw: list[dict[str, Any]]) -> list[Field]:
    return [
        Field(f["name"], tuple(f["types"]), bool(f.get("required")), f.get("description", ""))
        for f in raw
    ]


def parse_spec(data: dict[str, Any], source: str) -> ApiSpec:
    methods = {name: _fields(m.get("fields", [])) for name, m in data["methods"].items()}
    types = {name: _fields(t.get("fields", [])) for name, t in data["types"].items()}
    subtypes = {name: list(t["subtypes"]) for name, t in data["types"].items() if t.get("subtypes")}
    string_ok = {
        name
        for name, t in data["types"].items()
        if "String can be used instead of this object" in " ".join(t.get("description", []))
    }
    return ApiSpec(source, True, methods, types, subtypes, string_ok=string_ok)


@functools.lru_cache(maxsize=4)
def _read(path: Path, mtime_ns: int) -> tuple[ApiSpec, str]:
    """Parsed once per file version: every test starts a Sandbox."""
    data = json.loads(path.read_text("utf-8"))
    return parse_spec(data, str(path)), str(data.get("version", "?"))


def load_spec(path: Path | None = None) -> ApiSpec:
    """Read api.json from ``path`` (or $SANDBOX_BOT_API_SPEC, or ../shared); else fall back."""
    candidates = [path] if path is not None else []
    if path is None and os.environ.get(SPEC_ENV):
        candidates.append(Path(os.environ[SPEC_ENV]))
    if path is None:
        candidates.append(DEFAULT_SPEC_PATH)
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            resolved = candidate.resolve()
            spec, version = _read(resolved, resolved.stat().st_mtime_ns)
            log.info("sandbox validates against %s (%s)", resolved, version)
            return spec
    from sandbox.fallback_spec import fallback_spec

    spec = fallback_spec()
    log.warning(
        "sandbox: no Bot API spec at %s; validating with the built-in parameter lists of the "
        "implemented methods and python-telegram-bot's limits",
        ", ".join(str(c) for c in candidates) or "(none given)",
    )
    return spec
