"""How the bot's process uses Python's garbage collector under a storm of updates.

A grab storm holds thousands of young objects alive at once (a thousand updates, their
tasks, contexts and answers); every collection of the young generation walks all of
them, although nearly none is garbage. What this buys: shorter and fewer collection
pauses in a storm, and so a lower p99 of its taps (gc callbacks and runs of
``bench/grab_storm.py``; figures in ``bench/README.md``, section "Garbage collector").

- **Start-up objects frozen.** Once the bot is built, what is alive then (modules,
  configuration, catalogues, the application) is moved out of the collector's sight
  (``gc.freeze``, once per process): under a storm the full collections that thousands
  of new objects trigger then scan only those, not everything the process holds.
- **Higher thresholds** (:data:`GC_THRESHOLDS`). Python's default, a young collection
  every 700 new objects, runs a storm's collections by the hundred; every 20,000, a
  handful. The collections still run (cycles are still freed), less often, so cyclic
  garbage waits a little longer and a little more of it.
- **No collection while a burst is answered** (:class:`BurstGcPause`). Even then, the
  storm's window had a few young collections: the whole burst is alive, so each walks
  it. While at least ``pause_at`` updates are in flight, automatic collection waits —
  until the burst is over (none in flight) or ``max_pause`` seconds have passed,
  whichever comes first; after a pause cut short by the time limit it waits for the
  next burst only once the updates in flight have come down to none. Objects freed by
  reference counting (nearly all) are freed as usual; only cyclic garbage waits, at
  most ``max_pause`` seconds.
"""

from __future__ import annotations

import asyncio
import gc
import logging

log = logging.getLogger(__name__)

# (young, middle, old): see the module's docstring
GC_THRESHOLDS = (20_000, 20, 10)

_gc_frozen = False


def freeze_start_up_objects() -> None:
    """``gc.freeze()`` what the process holds after start-up, the first time only
    (freezing again would keep garbage of later work from ever being collected), and
    raise the collector's thresholds to :data:`GC_THRESHOLDS`."""
    global _gc_frozen
    if not _gc_frozen:
        _gc_frozen = True
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)


class BurstGcPause:
    """Automatic garbage collection waits while a burst of updates is in flight (see the
    module). Call :meth:`started` when an update starts and :meth:`finished` when it
    ends, on the event loop. A collector already disabled when a burst begins is left
    alone."""

    def __init__(self, pause_at: int = 64, max_pause: float = 2.0) -> None:
        if pause_at < 1:
            raise ValueError("pause_at must be at least 1")
        self.pause_at = pause_at
        self.max_pause = max_pause
        self.in_flight = 0
        self._timer: asyncio.TimerHandle | None = None  # set while paused: its time limit
        self._cut_short = False  # the last pause hit max_pause: wait for a quiet moment

    @property
    def paused(self) -> bool:
        return self._timer is not None

    def started(self) -> None:
        self.in_flight += 1
        if (
            self.in_flight >= self.pause_at
            and self._timer is None
            and not self._cut_short
            and gc.isenabled()
        ):
            gc.disable()
            self._timer = asyncio.get_running_loop().call_later(self.max_pause, self._time_up)

    def finished(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            self._cut_short = False
            if self._timer is not None:
                self._timer.cancel()
                self._resume()

    def _time_up(self) -> None:
        log.info("garbage collection resumed after %ss of a burst", self.max_pause)
        self._cut_short = True
        self._resume()

    def _resume(self) -> None:
        self._timer = None
        gc.enable()
