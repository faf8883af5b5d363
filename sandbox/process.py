"""The sandbox in a process of its own, for benchmarks and tests that need one.

    with SandboxProcess("--rate", "1000", "--log-limit", "0") as sb:
        bot = Bot(sb.token, base_url=sb.base_url, base_file_url=sb.base_file_url)
        ...

It runs ``python -m sandbox --port 0 --quiet ARGS`` and reads the ``SANDBOX_URL=`` line
the runner prints once it listens. Its own CPU (``cpu_seconds()``) tells a benchmark whether
the emulator, not the bot, was the limit. Stopped with SIGTERM (then SIGKILL after a grace).
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from sandbox.runner import URL_LINE_PREFIX
from sandbox.sandbox import DEFAULT_TOKEN

REPO_ROOT = Path(__file__).resolve().parents[1]


class SandboxProcess:
    def __init__(
        self,
        *args: str,
        python: str = sys.executable,
        startup_timeout: float = 30.0,
        stderr: int | None = None,
    ) -> None:
        """``args``: extra command-line arguments (``--rate 1000``); ``stderr``: where its log
        goes (None: inherited, ``subprocess.DEVNULL`` to drop it)."""
        self.args = list(args)
        self.python = python
        self.startup_timeout = startup_timeout
        self.stderr = stderr
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.token = DEFAULT_TOKEN

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def start(self) -> SandboxProcess:
        command = [self.python, "-m", "sandbox", "--port", "0", "--quiet", *self.args]
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=self.stderr
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        buffer = b""
        self.url = ""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while not self.url:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(
                        f"sandbox did not start ({' '.join(command)}): {buffer.decode()!r}"
                    )
                if not selector.select(remaining):
                    continue
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    continue  # EOF: poll() above reports the exit
                buffer += chunk
                *complete, _rest = buffer.decode(errors="replace").split("\n")
                for line in complete:
                    if line.startswith(URL_LINE_PREFIX):
                        self.url = line[len(URL_LINE_PREFIX) :].strip()
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU the sandbox process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self, grace: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
