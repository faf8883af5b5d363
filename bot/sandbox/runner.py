"""Running a sandbox on its own: ``serve`` (in a running loop) and ``run_forever``.

Once listening, ``run_forever`` prints ``SANDBOX_URL=http://HOST:PORT`` on a line of its own
on stdout (flushed), so a parent process that started it with ``--port 0`` learns the port.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from bot.runtime.event_loop import run as run_loop
from bot.sandbox.rate_limits import RateLimits
from bot.sandbox.sandbox import Sandbox

log = logging.getLogger(__name__)
URL_LINE_PREFIX = "SANDBOX_URL="


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
        run_loop(main())
