"""The volunteer-bot command, run as the real console script in a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from sandbox import Sandbox
from storage.migrate import head_revision
from tests.support.database import (
    drop_postgres_database,
    fresh_postgres_database,
    postgres_url_or_skip,
)

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config.example.toml"
ORGS = ROOT / "orgs.example.toml"
SCRIPT = Path(sys.executable).parent / "volunteer-bot"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bot"]


def _no_settings() -> dict[str, str]:
    """The environment without the operator's settings, importing this checkout's code
    (not whichever the console script was installed from) wherever it runs."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"BOT_TOKEN", "DATABASE_URL", "VOLUNTEER_BOT_CONFIG"}
    }
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    return environ


def cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run volunteer-bot with none of the operator's settings leaking in."""
    environ = _no_settings()
    environ.update(env or {})
    result = subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


# ---- check-config -------------------------------------------------------------------


def test_check_config_accepts_the_example() -> None:
    result = cli("check-config", "config.example.toml")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("OK: config.example.toml\n")
    assert "SQLite data/volunteer-bot.db" in out
    assert "https://api.telegram.org/bot" in out
    assert "Asia/Shanghai" in out
    assert "zh_CN" in out
    assert "11 streets, 4 communities, 3 grids, 7 teams" in out


def test_check_config_hides_the_database_password(tmp_path: Path) -> None:
    result = cli(
        "check-config",
        str(CONFIG),
        env={"DATABASE_URL": "postgresql://bot:s3cret@db.example:5432/volunteers"},
    )
    assert result.returncode == 0, result.stderr
    assert "PostgreSQL bot@db.example:5432/volunteers" in result.stdout
    assert "s3cret" not in result.stdout + result.stderr


BROKEN = [
    ("[points]\nrate_per_hr = 3\n", "[points] rate_per_hr: unknown key"),
    ('[points]\nrate_per_hour = "three"\n', "[points] rate_per_hour: "),
    ('[general]\ntimezone = "Mars/Olympus"\n', "[general] timezone: unknown time zone"),
    ('[database]\nurl = "mysql://localhost/vb"\n', "[database] url: must be"),
    ("[points\nrate_per_hour = 3\n", "not valid TOML"),
]
BROKEN_IDS = ["unknown-key", "wrong-type", "bad-timezone", "bad-database-url", "toml-syntax"]


@pytest.mark.parametrize(("text", "expected"), BROKEN, ids=BROKEN_IDS)
def test_check_config_rejects_a_broken_file(
    tmp_path: Path, text: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process for speed: an exception escaping main() would fail the test."""
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["check-config", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"volunteer-bot: error: {path}: ")
    assert expected in captured.err


def test_console_script_reports_a_broken_file_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[points]\nrate_per_hour = "three"\n[general]\ntimezone = "X"\n', "utf-8")
    result = cli("check-config", str(path))  # cli() asserts there is no traceback
    assert result.returncode == 1
    assert result.stdout == ""
    assert "[points] rate_per_hour: " in result.stderr
    assert "[general] timezone: " in result.stderr


def test_check_config_checks_the_org_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "missing.toml"
    missing.write_text('[org]\nfile = "no-such-orgs.toml"\n', encoding="utf-8")
    assert main(["check-config", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "[org] file" in err and "no such org file" in err

    (tmp_path / "orgs.toml").write_text(
        '[district]\ncode = "d"\nname_zh = "区"\nname_en = "D"\n'
        '[[community]]\ncode = "c"\nstreet = "nowhere"\nname_zh = "社"\nname_en = "C"\n',
        encoding="utf-8",
    )
    bad = tmp_path / "bad.toml"
    bad.write_text('[org]\nfile = "orgs.toml"\n', encoding="utf-8")
    assert main(["--config", str(bad), "check-config"]) == 1
    err = capsys.readouterr().err
    assert "[org] file" in err and "no street 'nowhere'" in err

    admins = tmp_path / "admins.toml"
    admins.write_text(f'[org]\nfile = "{ORGS}"\n[admins]\nunit = "nowhere"\n', "utf-8")
    assert main(["check-config", "--config", str(admins)]) == 1
    assert "[admins] unit: no unit has the code 'nowhere'" in capsys.readouterr().err


# ---- --help and usage ---------------------------------------------------------------

SUBCOMMANDS = [
    [],
    ["run"],
    ["sandbox"],
    ["db"],
    ["db", "upgrade"],
    ["db", "current"],
    ["org"],
    ["org", "import"],
    ["admin"],
    ["admin", "add"],
    ["check-config"],
    ["outbox"],
    ["outbox", "status"],
    ["outbox", "send"],
]


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=lambda w: " ".join(w) or "(top)")
def test_help_for_every_command(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*words, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {' '.join(['volunteer-bot', *words])}")
    assert "\nexamples:\n  " in out
    assert "--config FILE" in out


def test_python_dash_m_bot_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0
    for name in ("run", "sandbox", "db", "org", "admin", "check-config"):
        assert f"\n    {name}" in result.stdout


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["db"],
        ["admin", "add", "not-a-number"],
        ["admin", "add", "0"],
        ["sandbox", "--port", "x"],
    ],
)
def test_usage_errors_exit_2(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(words) == 2
    assert "usage: volunteer-bot" in capsys.readouterr().err


# ---- run ----------------------------------------------------------------------------


def test_run_without_token_refuses(tmp_path: Path) -> None:
    result = cli("--config", str(CONFIG), "run", cwd=tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKEN is not set" in result.stderr
    assert "make run" in result.stderr and "sandbox --with-bot" in result.stderr
    assert not (tmp_path / "data").exists()  # refused before touching anything


# ---- sandbox ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        [*COMMAND, "sandbox"],
        [*COMMAND, "sandbox", "--with-bot"],
        [sys.executable, "-m", "sandbox"],
    ],
    ids=["sandbox", "sandbox --with-bot", "python -m sandbox"],
)
def test_sandbox_on_a_port_in_use_says_so_in_one_line(tmp_path: Path, command: list[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*command, "--port", str(port)],
            cwd=tmp_path,
            env=_no_settings(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, result.stderr
    assert f"port {port} on 127.0.0.1 is in use by another program" in errors[0]
    assert "--port" in errors[0]
    assert not (tmp_path / "data").exists()  # refused before the bot touched its database


async def _sandbox_process(port: int, cwd: Path) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        "sandbox",
        "--port",
        str(port),
        cwd=cwd,
        env=_no_settings(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    while line := (await asyncio.wait_for(process.stdout.readline(), 60)).decode():
        if line.startswith("SANDBOX_URL="):
            return process, line.strip().removeprefix("SANDBOX_URL=")
    _, err = await process.communicate()
    raise AssertionError(f"the sandbox did not start: {err.decode()}")


async def test_sandbox_starts_again_at_once_after_a_stop(tmp_path: Path) -> None:
    """`make run`, Ctrl+C, `make run`: the connections the first sandbox closed on its
    way out wait in TIME_WAIT on its port, and the second starts all the same."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    first, url = await _sandbox_process(port, tmp_path)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /sandbox/users HTTP/1.1\r\nHost: sandbox\r\n\r\n")  # kept alive
        await writer.drain()
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    finally:
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.communicate(), 60)
    writer.close()
    assert first.returncode == 0
    second, again = await _sandbox_process(port, tmp_path)
    try:
        assert again == url
    finally:
        second.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(second.communicate(), 60)
    assert second.returncode == 0 and b"Traceback" not in err


# ---- db, org import, admin add on SQLite ---------------------------------------------


def sqlite_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_database_commands_on_sqlite(tmp_path: Path) -> None:
    db_file = tmp_path / "vb.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{db_file}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return cli("--config", str(CONFIG), *args, cwd=tmp_path, env=env)

    result = run("db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "revision before: (empty database)" in result.stdout
    assert f"revision after:  {head_revision()}" in result.stdout
    tables = {row[0] for row in sqlite_rows(db_file, "SELECT name FROM sqlite_master")}
    assert {"org_units", "teams", "users", "coordinator_bindings", "audit_log"} <= tables
    assert sqlite_rows(db_file, "SELECT version_num FROM alembic_version") == [(head_revision(),)]

    result = run("db", "current")
    assert result.returncode == 0 and "up to date" in result.stdout

    result = run("org", "import", str(ORGS))
    assert result.returncode == 0, result.stderr
    assert "units: 19 created, 0 updated, 0 unchanged" in result.stdout
    assert "teams: 7 created, 0 updated" in result.stdout
    result = run("org", "import", str(ORGS))
    assert result.returncode == 0, result.stderr
    assert "units: 0 created, 0 updated, 19 unchanged" in result.stdout
    assert "teams: 0 created, 0 updated" in result.stdout
    assert sqlite_rows(db_file, "SELECT count(*) FROM org_units") == [(19,)]

    result = run("admin", "add", "42", "--unit", "汉阳区")
    assert result.returncode == 0, result.stderr
    assert "Telegram user 42 is now admin" in result.stdout and "(hanyang)" in result.stdout
    # a bot cannot write first: the operator is told what the person must do
    assert "has not opened the bot yet" in result.stdout
    assert "send /start once before the bot can write to them" in result.stdout
    result = run("admin", "add", "42", "--unit", "longyang")
    assert result.returncode == 0, result.stderr
    assert "moved from 汉阳区" in result.stdout
    result = run("admin", "add", "42", "--unit", "Longyang Subdistrict")
    assert result.returncode == 0 and "nothing changed" in result.stdout

    bindings = sqlite_rows(
        db_file,
        "SELECT u.telegram_id, o.code FROM coordinator_bindings b "
        "JOIN users u ON u.id = b.user_id JOIN org_units o ON o.id = b.unit_id",
    )
    assert bindings == [(42, "longyang")]
    audit = sqlite_rows(db_file, "SELECT action, actor_label, detail FROM audit_log ORDER BY id")
    assert [(a, label) for a, label, _ in audit] == [("coordinator.bind", "cli")] * 2
    details = [json.loads(str(d)) for _a, _l, d in audit]
    assert details[0] == {"telegram_id": 42, "unit": "hanyang", "previous_unit": None}
    assert details[1] == {"telegram_id": 42, "unit": "longyang", "previous_unit": "hanyang"}

    # no --unit: the one root unit; someone who has used the bot needs no word about it
    with sqlite3.connect(db_file) as conn:
        conn.execute(
            "INSERT INTO users (telegram_id, first_name, last_seen_at, created_at, updated_at)"
            " VALUES (43, 'Seen', '2026-01-01 00:00:00', '2026-01-01 00:00:00',"
            " '2026-01-01 00:00:00')"
        )
    result = run("admin", "add", "43")
    assert result.returncode == 0 and "(hanyang)" in result.stdout
    assert "has not opened the bot" not in result.stdout

    result = run("admin", "add", "44", "--unit", "no-such-unit")
    assert result.returncode == 1
    assert "'no-such-unit'" in result.stderr and "no unit" in result.stderr

    # a second "第一网格" elsewhere makes the name ambiguous: the error lists the codes
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[district]\ncode = "hanyang"\nname_zh = "汉阳区"\nname_en = "Hanyang District"\n'
        '[[street]]\ncode = "yongfeng"\nname_zh = "永丰街道"\nname_en = "Yongfeng Subdistrict"\n'
        '[[community]]\ncode = "yongfeng.longmo"\nstreet = "yongfeng"\n'
        'name_zh = "龙磨社区"\nname_en = "Longmo Community"\n'
        '[[grid]]\ncode = "yongfeng.longmo.grid1"\ncommunity = "yongfeng.longmo"\n'
        'name_zh = "第一网格"\nname_en = "Grid 1"\n',
        encoding="utf-8",
    )
    assert run("org", "import", str(extra)).returncode == 0
    result = run("admin", "add", "45", "--unit", "第一网格")
    assert result.returncode == 1
    assert "longyang.longhudongan.grid1" in result.stderr
    assert "yongfeng.longmo.grid1" in result.stderr


def test_the_first_admin_can_be_added_on_a_fresh_database(tmp_path: Path) -> None:
    """The README's first step, before the bot ever ran: the units come from the
    configured org file, imported first as the bot's start would."""
    db_file = tmp_path / "first.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{db_file}"}
    result = cli("--config", str(CONFIG), "admin", "add", "9001", "--unit", "hanyang", env=env)
    assert result.returncode == 0, result.stderr
    assert "19 units imported first (the database had none)" in result.stdout
    assert "Telegram user 9001 is now admin" in result.stdout
    again = cli("--config", str(CONFIG), "admin", "add", "9002", "--unit", "hanyang", env=env)
    assert again.returncode == 0 and "imported first" not in again.stdout
    assert sqlite_rows(db_file, "SELECT count(*) FROM org_units") == [(19,)]


def test_org_import_creates_sqlite_schema_and_rejects_bad_files(tmp_path: Path) -> None:
    db_file = tmp_path / "fresh.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{db_file}"}
    bad = tmp_path / "bad.toml"
    bad.write_text('[district]\ncode = "Bad Code"\nname_zh = "区"\nname_en = "D"\n', "utf-8")

    result = cli("--config", str(CONFIG), "org", "import", str(bad), cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "district.code" in result.stderr and str(bad) in result.stderr
    assert not db_file.exists()  # the file is checked before the database is touched

    result = cli("--config", str(CONFIG), "org", "import", str(ORGS), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "database upgraded" in result.stdout
    assert "units: 19 created" in result.stdout


# ---- PostgreSQL: org import wants a migrated database ---------------------------------


def test_org_import_on_postgresql_requires_db_upgrade(tmp_path: Path) -> None:
    admin_url = postgres_url_or_skip()
    url, name = fresh_postgres_database(admin_url)
    try:
        env = {"DATABASE_URL": url}
        args = ("--config", str(CONFIG))
        result = cli(*args, "org", "import", str(ORGS), cwd=tmp_path, env=env)
        assert result.returncode == 1
        assert "volunteer-bot db upgrade" in result.stderr
        assert "has no tables yet" in result.stderr

        result = cli(*args, "db", "upgrade", cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        assert f"revision after:  {head_revision()}" in result.stdout

        result = cli(*args, "org", "import", str(ORGS), cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        assert "units: 19 created" in result.stdout
    finally:
        drop_postgres_database(admin_url, name)


def test_unreachable_database_is_a_message(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql+asyncpg://nobody:pw@127.0.0.1:1/none"}
    result = cli("--config", str(CONFIG), "db", "current", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "cannot reach the database PostgreSQL nobody@127.0.0.1:1/none" in result.stderr
    assert "pw@" not in result.stderr


# ---- outbox ---------------------------------------------------------------------------


async def test_outbox_status_and_send(tmp_path: Path, sandbox: Sandbox) -> None:
    """Operators see the queue by state and failures by reason; `outbox send
    --until-idle` delivers what is due and exits."""
    import asyncio

    from bot.services.kernel.clock import SystemClock
    from bot.services.kernel.scheduling import DatabaseScheduler, Outgoing
    from storage.database import Database
    from storage.migrate import upgrade
    from storage.repositories import users as users_repo

    url = f"sqlite+aiosqlite:///{tmp_path / 'vb.db'}"
    db = Database.from_url(url)
    await upgrade(db.engine)
    scheduler = DatabaseScheduler(SystemClock())
    async with db.transaction() as session:
        await scheduler.enqueue(session, "ok:1", Outgoing(chat_id=1001, text="hello"))
        await scheduler.enqueue(session, "bad:1", Outgoing(chat_id=1002, text="<b>oops"))
    await db.dispose()
    sandbox.user(1001), sandbox.user(1002)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{sandbox.base_url}"\nbase_file_url = "{sandbox.base_file_url}"\n',
        encoding="utf-8",
    )
    env = {"DATABASE_URL": url, "VOLUNTEER_BOT_CONFIG": str(config)}

    status = await asyncio.to_thread(cli, "outbox", "status", env=env, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "queued     2" in status.stdout

    sent = await asyncio.to_thread(
        cli, "outbox", "send", "--until-idle", env={**env, "BOT_TOKEN": sandbox.token}, cwd=tmp_path
    )
    assert sent.returncode == 0, sent.stderr
    assert "sent 1, failed 1" in sent.stdout
    assert sandbox.delivered()[1001] == {"hello": 1}

    status = await asyncio.to_thread(cli, "outbox", "status", env=env, cwd=tmp_path)
    assert "sent       1" in status.stdout and "failed     1" in status.stdout
    assert "bad request: can't parse entities" in status.stdout.lower()
    assert "held       0" in status.stdout

    # someone bound by id who never opened the bot: their notices are held, not failed
    db = Database.from_url(url)
    async with db.transaction() as session:
        await users_repo.ensure(session, 1003, first_name="")
        for n in (1, 2):
            await scheduler.enqueue(session, f"held:{n}", Outgoing(chat_id=1003, text="hi"))
    await db.dispose()
    sent = await asyncio.to_thread(
        cli, "outbox", "send", "--until-idle", env={**env, "BOT_TOKEN": sandbox.token}, cwd=tmp_path
    )
    assert "held 2 (recipient unreachable)" in sent.stdout, sent.stdout
    status = await asyncio.to_thread(cli, "outbox", "status", env=env, cwd=tmp_path)
    assert "held       2" in status.stdout and "failed     1" in status.stdout
    assert "held until the person writes to the bot" in status.stdout
    assert "2  for 1 person: never opened the bot (must send /start once)" in status.stdout

    no_token = await asyncio.to_thread(cli, "outbox", "send", env=env, cwd=tmp_path)
    assert no_token.returncode == 2 and "BOT_TOKEN" in no_token.stderr
