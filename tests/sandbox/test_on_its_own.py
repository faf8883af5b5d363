"""The sandbox stands on its own: no module under ``sandbox/`` imports the product
(``bot``, ``handlers``, ``storage``), at the top or inside a function; it chooses its
event loop itself (uvloop's where installed, asyncio's when asked for)."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest

from sandbox import runner

SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"
PRODUCT = {"bot", "handlers", "storage"}
MODULES = sorted(SANDBOX.rglob("*.py"))


def _imported(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_the_sandbox_has_modules_to_check() -> None:
    assert len(MODULES) > 20, MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SANDBOX)))
def test_no_sandbox_module_imports_the_product(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    product = [name for name in _imported(tree) if name.partition(".")[0] in PRODUCT]
    assert not product, f"{path.relative_to(SANDBOX.parent)} imports {product}"


def test_the_sandbox_runs_on_uvloop_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    uvloop = pytest.importorskip("uvloop")
    monkeypatch.delenv(runner.LOOP_ENV, raising=False)
    assert runner.loop_factory() is uvloop.new_event_loop


def test_the_sandbox_runs_on_asyncio_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runner.LOOP_ENV, "asyncio")
    assert runner.loop_factory() is asyncio.new_event_loop
