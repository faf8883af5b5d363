"""The real `volunteer-bot run` process, configured with the sandbox as its Bot API
server (as it would be with any Bot API-compatible server), answers a user and stops
cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from sandbox import Sandbox
from tests.support.bot import ORG_FILE, ROOT


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


async def _start_run_against_sandbox(
    sandbox: Sandbox, tmp_path: Path
) -> asyncio.subprocess.Process:
    config = tmp_path / "config.toml"
    config.write_text(
        "[telegram]\n"
        "poll_timeout = 2\n"
        "[database]\n"
        f'url = "sqlite+aiosqlite:///{tmp_path / "bot.db"}"\n'
        "[org]\n"
        f'file = "{ORG_FILE}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "VOLUNTEER_BOT_CONFIG": str(config)}
    for name in ("BOT_TOKEN", "DATABASE_URL"):
        env.pop(name, None)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--sandbox",
        sandbox.url,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    log = output.decode(errors="replace")
    assert process.returncode == 0, log
    assert "Traceback" not in log
    return log


async def test_the_bot_restarts_against_a_running_sandbox_and_the_chat_goes_on(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`volunteer-bot run --sandbox URL` needs no token; stopped and started again, it
    finds the same chats in the sandbox (which kept them) and the user's place in the
    flow in its database."""
    process = await _start_run_against_sandbox(sandbox, tmp_path)
    user = sandbox.user(6002, first_name="张三", language_code="zh-hans")
    try:
        await user.command("/start")
        await user.wait_for("请问您是", timeout=60)
        await user.press("🤝 我想当志愿者")
        await user.wait_for("真实姓名")
    finally:
        log = await _stop(process)
    assert f"against the sandbox at {sandbox.url}" in log

    before = len(user.messages)
    process = await _start_run_against_sandbox(sandbox, tmp_path)
    try:
        await user.send("张三")  # the answer to the question asked before the restart
        await user.wait_for("分享我的手机号", timeout=60)
    finally:
        await _stop(process)
    assert len(user.messages) > before and "真实姓名" in user.messages[before - 1].text
