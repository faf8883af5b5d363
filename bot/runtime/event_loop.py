"""The event loop the bot, its commands, the sandbox and the benchmarks run on: uvloop's.

Why: under a burst (the grab storm: a thousand answerCallbackQuery calls at once, and
the sandbox answering them on the same 2-core machine) the work per request is mostly
the event loop's own — scheduling callbacks and tasks, the transports' reads and
writes — and uvloop (libuv, written in Cython; a well-kept, widely used drop-in for
asyncio's loop, asyncio's API unchanged) does that part in C. What it buys: less of the
bot's and the sandbox's CPU per request, and a lower p99 of the taps
(``bench/grab_storm.py`` against ``VOLUNTEER_BOT_LOOP=asyncio``; figures in
``bench/README.md``, section "Event loop").

Where uvloop is not installed (it has no Windows build) asyncio's own loop is used;
``VOLUNTEER_BOT_LOOP=asyncio`` chooses it too (to compare, or to rule uvloop out
while debugging).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

ENV = "VOLUNTEER_BOT_LOOP"


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """``uvloop.new_event_loop`` if uvloop is installed and not turned off, else
    ``asyncio.new_event_loop``."""
    if os.environ.get(ENV, "").strip().lower() != "asyncio":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.new_event_loop  # type: ignore[no-any-return]
    return asyncio.new_event_loop


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    """``uvloop`` or ``asyncio`` (for logs and benchmark output)."""
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on the loop of :func:`loop_factory`."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new loop of :func:`loop_factory`, set as the current one (for
    ``Application.run_polling``, which runs on the current loop)."""
    loop = loop_factory()()
    asyncio.set_event_loop(loop)
    return loop
