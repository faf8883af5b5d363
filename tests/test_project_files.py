"""What a newcomer meets before the bot runs (issue 12, item 24): the README's first
screen says who must exist first, in what order, and how to restart the bot keeping
the sandbox's chats; the package metadata uses the forms setuptools no longer warns
about."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_SCREEN = 60  # lines


def test_the_license_is_an_spdx_expression_which_setuptools_does_not_deprecate() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(project["project"]["license"], str)  # a TOML table is deprecated
    requires = project["build-system"]["requires"]
    assert any(r.replace(" ", "").startswith("setuptools>=77") for r in requires), requires


def test_the_readme_first_screen_says_who_comes_first_and_how_to_restart() -> None:
    screen = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:FIRST_SCREEN])
    order = [screen.find(s) for s in ("admin add", "/coordinators", "Residents and volunteers")]
    assert -1 not in order and order == sorted(order), order
    assert "make run" in screen and "make test" in screen
    assert "volunteer-bot sandbox" in screen and "volunteer-bot run --sandbox" in screen


def test_the_sandbox_server_libraries_are_an_extra_not_the_bot_s_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

    def names(requirements: list[str]) -> set[str]:
        return {
            r.split(";")[0].split("[")[0].split(">")[0].split("<")[0].strip() for r in requirements
        }

    sandbox_only = {"granian", "multipart", "aiohttp"}
    assert not sandbox_only & names(project["project"]["dependencies"])
    assert sandbox_only <= names(project["project"]["optional-dependencies"]["sandbox"])
    assert "sandbox*" in project["tool"]["setuptools"]["packages"]["find"]["include"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-e '.[dev,sandbox]'" in makefile  # make run and make test have the sandbox
