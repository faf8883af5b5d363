"""The product code points to its benchmark figures instead of quoting them (issue 13): every
``bench/README.md`` section it names exists; and it imports nothing private of PTB."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "handlers", "storage")
# `bench/README.md`, section "A" / sections "A", "B" and "C" / ("A"), across line breaks
POINTER = re.compile(r"bench/README\.md[`,]*\s*(?:sections?\s*|\(\s*)?((?:\"[^\"]+\"[\s,and]*)+)")


def product_files() -> list[Path]:
    files = [p for top in PRODUCT for p in (ROOT / top).rglob("*.py")]
    return [*files, ROOT / "pyproject.toml"]


def flattened(path: Path) -> str:
    """The file's text with line breaks (and a comment's leading ``#``) as single spaces."""
    return re.sub(r"\s*\n\s*(?:#\s*)?", " ", path.read_text(encoding="utf-8"))


def test_every_bench_section_the_code_names_exists() -> None:
    readme = (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    sections = {line.lstrip("#").strip() for line in readme.splitlines() if line.startswith("#")}
    named: dict[str, list[str]] = {}
    for path in product_files():
        for match in POINTER.finditer(flattened(path)):
            for name in re.findall(r"\"([^\"]+)\"", match.group(1)):
                named.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert named, "no pointer found: the pattern no longer matches how the code points"
    missing = {name: where for name, where in named.items() if name not in sections}
    assert not missing, missing


def test_nothing_private_of_ptb_is_imported() -> None:
    private = []
    for path in product_files()[:-1]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                first, *rest = module.split(".")
                if first == "telegram" and any(part.startswith("_") for part in rest):
                    private.append(f"{path.relative_to(ROOT)}: {module}")
    assert not private, private
