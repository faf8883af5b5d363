"""Running a sandbox on its own: ``serve`` (in a running loop) and ``run_forever``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from bot.sandbox.sandbox import Sandbox

log = logging.getLogger(__name__)


async def serve(
    host: str = "127.0.0.1", port: int = 8081, spec_path: Path | None = None
) -> Sandbox:
    """Start a sandbox in the running event loop and return it (call ``await sb.stop()``)."""
    sb = Sandbox(spec_path)
    await sb.start(host, port)
    log.info(
        "sandbox listening on %s — Bot API base_url %s, default token %s, control API %s/sandbox",
        sb.url, sb.base_url, sb.token, sb.url,
    )  # fmt: skip
    return sb


def run_forever(host: str = "127.0.0.1", port: int = 8081, spec_path: Path | None = None) -> None:
    """Serve until interrupted (Ctrl-C)."""

    async def main() -> None:
        sb = await serve(host, port, spec_path)
        try:
            await asyncio.Event().wait()
        finally:
            await sb.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
