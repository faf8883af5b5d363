"""Running a sandbox on its own: ``serve`` (in a running loop) and ``run_forever``.

Once listening, ``run_forever`` prints ``SANDBOX_URL=http://HOST:PORT`` on a line of its own
on stdout (flushed), so a parent process that started it with ``--port 0`` learns the port.

It runs on uvloop's event loop where uvloop is installed (less CPU per call when a burst of
calls arrives: figures in ``bench/README.md``), on asyncio's own where it is not or when
``VOLUNTEER_BOT_LOOP=asyncio`` asks for it: the same switch as the bot's, so one variable
compares both. The choice is the sandbox's own; it imports nothing of the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from sandbox.rate_limits import RateLimits
from sandbox.sandbox import Sandbox

log = logging.getLogger(__name__)
URL_LINE_PREFIX = "SANDBOX_URL="
LOOP_ENV = "VOLUNTEER_BOT_LOOP"


# A copy of bot/runtime/event_loop.py's on purpose: the sandbox imports nothing of the bot.
def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """``uvloop.new_event_loop`` if uvloop is installed and ``LOOP_ENV`` is not ``asyncio``,
    else ``asyncio.new_event_loop``."""
    if os.environ.get(LOOP_ENV, "").strip().lower() != "asyncio":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.new_event_loop  # type: ignore[no-any-return]
    return asyncio.new_event_loop


async def serve(
    host: str = "127.0.0.1",
    port: int = 8081,
    spec_path: Path | None = None,
    *,
    rate_limits: RateLimits | None = None,
    log_limit: int | None = None,
    open_chats: bool = False,
) -> Sandbox:
    """Start a sandbox in the running event loop and return it (call ``await sb.stop()``)."""
    sb = Sandbox(spec_path, rate_limits=rate_limits, log_limit=log_limit, open_chats=open_chats)
    await sb.start(host, port)
    log.info(
        "sandbox listening on %s — Bot API base_url %s, default token %s, control API %s/sandbox",
        sb.url, sb.base_url, sb.token, sb.url,
    )  # fmt: skip
    if rate_limits is not None:
        log.info("sandbox enforces flood limits: %s", rate_limits.to_dict())
    return sb


def run_forever(
    host: str = "127.0.0.1",
    port: int = 8081,
    spec_path: Path | None = None,
    *,
    rate_limits: RateLimits | None = None,
    log_limit: int | None = None,
    announce: bool = True,
    open_chats: bool = False,
) -> None:
    """Serve until interrupted (Ctrl-C, SIGINT or SIGTERM: a clean stop either way);
    ``announce`` prints the SANDBOX_URL line."""

    async def main() -> None:
        sb = await serve(
            host,
            port,
            spec_path,
            rate_limits=rate_limits,
            log_limit=log_limit,
            open_chats=open_chats,
        )
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # also when SIGINT is ignored, as in a background job of a non-interactive shell
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stopping.set)
        if announce:
            print(f"{URL_LINE_PREFIX}{sb.url}", file=sys.stdout, flush=True)
        try:
            await stopping.wait()
        finally:
            await sb.stop()

    with contextlib.suppress(KeyboardInterrupt):
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(main())
