"""The sandbox's HTTP front: Granian (a Rust HTTP server) in the sandbox's own event loop.

Granian parses requests, keeps connections alive and writes answers in Rust; Python sees one
whole request (:class:`HttpRequest`) and gives back one :class:`HttpResponse`. It buys a
cheaper Bot API call than aiohttp's server gave: the grab storm's thousand answers are served
by the sandbox, so its cost per call is part of what the bot's users wait for in the
benchmark. The figures: ``bench/README.md``, "Sandbox server: Granian".

Routes are aiohttp-style patterns: ``/sandbox/users/{user_id:-?\\d+}/{verb}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.server.embed import Server

log = logging.getLogger(__name__)

# connections waiting to be accepted: a storm opens a bot's whole pool (128+) at once
BACKLOG = 2048
STARTUP_TIMEOUT_S = 10.0
# Granian's graceful stop normally takes a few ms; once in a few hundred stops in the test
# suite it never ended (no connection left, the listener still open), so it is bounded
STOP_TIMEOUT_S = 5.0
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(slots=True)
class HttpRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    match_info: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        """The media type, lower case, without parameters ("" when absent)."""
        return self.headers.get("content-type", "").partition(";")[0].strip().lower()

    @property
    def can_read_body(self) -> bool:
        return bool(self.body)

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.body)


@dataclass(slots=True)
class HttpResponse:
    body: bytes
    status: int = 200
    content_type: str = "application/json; charset=utf-8"

    @classmethod
    def text(cls, text: str, status: int) -> HttpResponse:
        return cls(text.encode("utf-8"), status, "text/plain; charset=utf-8")

    @classmethod
    def json(cls, body: Any, status: int = 200) -> HttpResponse:
        """``body`` as JSON, non-ASCII characters as UTF-8 (as the Bot API answers)."""
        return cls(_ENCODE(body).encode("utf-8"), status)


class HttpError(Exception):
    """Answer with ``status`` and a plain-text ``text`` (404, 405, 413, a handler's 400…)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]
_PARAM = re.compile(r"\{(\w+)(?::((?:[^{}]|\{[^{}]*\})+))?\}")


def _compile(pattern: str) -> re.Pattern[str]:
    """``/a/{name}/{n:\\d+}`` → a regex with named groups (a plain name: one path segment)."""
    out, last = [], 0
    for m in _PARAM.finditer(pattern):
        out.append(re.escape(pattern[last : m.start()]))
        out.append(f"(?P<{m.group(1)}>{m.group(2) or '[^/]+'})")
        last = m.end()
    out.append(re.escape(pattern[last:]))
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True, slots=True)
class Route:
    method: str  # "*" for any
    pattern: str
    handler: Handler


def route(method: str, pattern: str, handler: Handler) -> Route:
    return Route(method.upper(), pattern, handler)


class Router:
    def __init__(self, routes: list[Route]) -> None:
        self._routes = [(r.method, _compile(r.pattern), r.handler) for r in routes]

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The handler for this request and its path parameters; HttpError 404 or 405."""
        allowed = False
        for wanted, regex, handler in self._routes:
            m = regex.match(path)
            if m is None:
                continue
            if wanted in ("*", method) or (wanted == "GET" and method == "HEAD"):
                return handler, m.groupdict()
            allowed = True
        if allowed:
            raise HttpError(405, "405: Method Not Allowed")
        raise HttpError(404, "404: Not Found")


class PortInUse(OSError):
    """Another program listens on ``host:port`` (an ``OSError`` with ``EADDRINUSE``)."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"{host}:{port} is already in use")
        self.host = host
        self.port = port

    def explain(self, option: str) -> str:
        """One line for the operator, naming the ``option`` that picks another port."""
        return (
            f"port {self.port} on {self.host} is in use by another program: "
            f"stop it, or choose another port with {option}"
        )


def probe_port(host: str, port: int) -> int:
    """``port`` if nothing listens on it (0: a free port); :class:`PortInUse` otherwise.

    Granian binds the port itself, with SO_REUSEPORT, and does not report a port the kernel
    chose: a plain socket of ours binds first, so a port another server holds (another
    sandbox's Granian included) is refused, and port 0 becomes a free port. It binds with
    SO_REUSEADDR, as every server does: without it the connections of a sandbox stopped a
    moment ago, closed by the server and so in TIME_WAIT for a minute, refuse the bind, and
    ``make run`` right after a stop failed; with it, only a socket that listens refuses it.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(host, port) from None
            raise
        return int(probe.getsockname()[1])


class HttpServer:
    """Serves ``router`` on ``host:port`` (0: a free port) from the running event loop."""

    def __init__(
        self, router: Router, max_body_bytes: int, *, stop_timeout: float = STOP_TIMEOUT_S
    ) -> None:
        self.router = router
        self.max_body_bytes = max_body_bytes
        self.stop_timeout = stop_timeout
        self.port = 0
        self._server: Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen and return the port; :class:`PortInUse` when another program listens on it."""
        self.port = probe_port(host, port)
        self._server = Server(
            self._serve,
            address=host,
            port=self.port,
            interface=Interfaces.RSGI,
            http=HTTPModes.http1,
            # an idle kept-alive connection is closed after this long (aiohttp's server:
            # 75 s); Granian's default, 30 s, is shorter than some tests' quiet spells
            http1_settings=HTTP1Settings(header_read_timeout=120_000),
            websockets=False,
            backlog=BACKLOG,
            log_enabled=False,
        )
        self._task = asyncio.get_running_loop().create_task(self._server.serve())
        await self._until_listening(host)
        return self.port

    async def _until_listening(self, host: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_TIMEOUT_S
        while True:
            assert self._task is not None
            if self._task.done():
                self._task.result()  # the server's own error
                raise OSError(f"the sandbox's HTTP server stopped on start ({host}:{self.port})")
            try:
                _, writer = await asyncio.open_connection(host, self.port)
            except OSError:
                if loop.time() > deadline:
                    await self.stop()
                    raise
                await asyncio.sleep(0.002)
                continue
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return

    async def stop(self) -> None:
        server, task = self._server, self._task
        self._server = self._task = None
        if server is None or task is None:
            return
        server.stop()
        try:
            await asyncio.wait_for(asyncio.shield(task), self.stop_timeout)
        except TimeoutError:
            log.warning(
                "sandbox: the HTTP server on port %s did not stop within %ss; left behind",
                self.port,
                self.stop_timeout,
            )
            task.cancel()
        except asyncio.CancelledError:
            if not task.cancelled():
                raise

    async def _serve(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return
        try:
            response = await self._answer(scope, proto)
        except HttpError as exc:
            response = HttpResponse.text(exc.text, exc.status)
        except Exception:
            log.exception("sandbox: %s %s failed", scope.method, scope.path)
            response = HttpResponse.text("500: Internal Server Error", 500)
        headers = [("content-type", response.content_type)]
        if scope.method == "HEAD":
            proto.response_empty(response.status, headers)
        else:
            proto.response_bytes(response.status, headers, response.body)

    async def _answer(self, scope: Any, proto: Any) -> HttpResponse:
        path = unquote(scope.path)
        handler, match = self.router.resolve(scope.method, path)
        headers = scope.headers
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            raise HttpError(413, "413: Request Entity Too Large")
        body = await proto()
        if len(body) > self.max_body_bytes:
            raise HttpError(413, "413: Request Entity Too Large")
        query: dict[str, str] = {}
        for key, value in parse_qsl(scope.query_string, keep_blank_values=True):
            query.setdefault(key, value)  # the first of repeated keys
        request = HttpRequest(
            scope.method,
            path,
            query,
            dict(headers.items()),  # names in lower case already (HTTP/1 through hyper)
            body,
            match,
        )
        return await handler(request)
