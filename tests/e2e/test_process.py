"""The real `volunteer-bot run` process, configured with the sandbox as its Bot API
server (as it would be with any Bot API-compatible server), answers a user and stops
cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.sandbox import Sandbox
from tests.fixtures.bot import ORG_FILE, ROOT


async def test_volunteer_bot_run_against_a_configured_bot_api_server(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "[telegram]\n"
        f'base_url = "{sandbox.base_url}"\n'
        f'base_file_url = "{sandbox.base_file_url}"\n'
        "poll_timeout = 2\n"
        "[database]\n"
        f'url = "sqlite+aiosqlite:///{tmp_path / "bot.db"}"\n'
        "[org]\n"
        f'file = "{ORG_FILE}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "BOT_TOKEN": sandbox.token, "VOLUNTEER_BOT_CONFIG": str(config)}
    env.pop("DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        user = sandbox.user(6001, first_name="张三", language_code="zh-hans")
        await user.command("/start")
        welcome = await user.wait_for("请问您是", timeout=60)
        assert welcome.buttons
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    log = output.decode(errors="replace")
    assert process.returncode == 0, log
    assert "Traceback" not in log
