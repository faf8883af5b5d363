"""The sandbox is the top-level package ``sandbox`` with its server libraries in the
``volunteer-bot[sandbox]`` extra: without them, the commands that need the sandbox say
how to install it in one line, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config.example.toml"


def _the_one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    "words",
    [["sandbox"], ["sandbox", "--with-bot"], ["run", "--sandbox"]],
    ids=["sandbox", "sandbox --with-bot", "run --sandbox"],
)
def test_without_the_sandbox_package_the_commands_say_how_to_install_it(
    words: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "sandbox", None)  # `import sandbox` fails
    assert main(["--config", str(CONFIG), *words]) == 1
    out, err = capsys.readouterr()
    line = _the_one_error_line(err)
    assert line.startswith("volunteer-bot: error: the sandbox is not installed"), line
    assert "pip install 'volunteer-bot[sandbox]'" in line and "make run" in line, line
    assert "LOCAL SANDBOX" not in out  # refused before the banner


def test_without_the_sandbox_server_library_the_command_names_it(tmp_path: Path) -> None:
    """The package is installed with the bot; its libraries only with the extra."""
    script = (
        "import sys; sys.modules['granian'] = None; "
        "from bot.cli import main; "
        f"sys.exit(main(['--config', {str(CONFIG)!r}, 'sandbox', '--port', '0']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    line = _the_one_error_line(result.stderr)
    assert "the sandbox is not installed (granian is missing)" in line, line
    assert "pip install 'volunteer-bot[sandbox]'" in line, line
    assert "LOCAL SANDBOX" not in result.stdout
