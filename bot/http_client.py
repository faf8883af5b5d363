"""The bot's HTTP client: python-telegram-bot's ``BaseRequest`` on one ``aiohttp.ClientSession``.

Why it exists: the HTTP client decides how many messages the bot can send. Measured on this
project's 2-core machine against a local Bot API server that answers at once, PTB 22.8's
default ``HTTPXRequest`` sends about 220 sendMessage/s, httpx with an aiohttp transport
(``httpx-aiohttp`` through ``httpx_kwargs``) about 1,000/s, and a ``BaseRequest`` on aiohttp
about 1,600–2,100/s. ``bench/http_client.py`` (5,000 messages, 64 concurrent, against the
sandbox in its own process) measured 184–318/s for ``HTTPXRequest`` and 1,686–2,727/s for this
class through ``Bot.send_message`` — there the benchmark's own CPU, mostly PTB building
``Message`` objects, is the limit; httpx is CPU-bound in itself. Telegram's paid-broadcast
ceiling is 1,000 messages/s, so the client must not be the limit. The bot's production
requests and the benchmarks go through this same class::

    request = AiohttpRequest(connection_pool_size=64)
    app = (
        ApplicationBuilder().token(token).request(request)
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .build()
    )

Without files it sends the parameters as one ``application/json`` body (one of the three
encodings the Bot API accepts; ``json.dumps`` is C, where urlencoding every field was
~170 µs of pure Python per request — a sixth of a grab storm's CPU); with files,
what ``HTTPXRequest`` sends: ``multipart/form-data``, the JSON-encoded fields
(``request_data.json_parameters``) then each file part with its file name and MIME
type. Errors map as for ``HTTPXRequest`` — timeouts to
:class:`telegram.error.TimedOut`, other client/connection errors to
:class:`telegram.error.NetworkError`. ``BaseRequest`` parses the answer's envelope into
``RetryAfter``, ``Forbidden``, ``BadRequest`` … exactly as for ``HTTPXRequest``.

Timeouts (per call, ``DEFAULT_NONE`` meaning this instance's default), mapped onto
``aiohttp.ClientTimeout``:

- ``read`` → ``sock_read``: time without a byte from the server once the request is written
  (aiohttp starts this timer after the body is sent), as httpx's read timeout;
- ``connect`` → ``sock_connect``; ``pool`` + ``connect`` → ``connect`` (aiohttp's ``connect``
  covers waiting for a free connection of the pool *and* opening a new one);
- ``write`` (``media_write_timeout`` for uploads): aiohttp has no per-write timeout, so for a
  request with a body the sum of all four bounds the whole exchange (``total``) when each is
  finite — a server that stops reading the body cannot hang a request forever (httpx times
  out each write instead: an upload slower than the sum fails here, not there; raise
  ``media_write_timeout`` for big files on slow links). Bodiless requests (file downloads)
  get no total: ``sock_read`` watches them, as httpx's read timeout does.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.config import Config

__all__ = ["AiohttpRequest", "http_request"]

_JSON = "application/json"
_POOL_OR_CONNECT = (
    "Pool timeout or connect timeout: no connection of the pool became free, or a new one "
    "could not be opened, in time. Request was *not* sent to Telegram. Consider adjusting "
    "the connection pool size or the pool/connect timeout."
)


def _sum(*values: float | None) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


class AiohttpRequest(BaseRequest):
    """A ``telegram.request.BaseRequest`` on aiohttp; one session, opened in ``initialize``.

    Args:
        connection_pool_size: connections kept open to the Bot API at most (keep-alive);
            further requests wait for a free one (at most ``pool_timeout``). Default 256,
            as ``HTTPXRequest``.
        read_timeout, write_timeout, connect_timeout, pool_timeout, media_write_timeout:
            the defaults used when a call passes ``DEFAULT_NONE`` (PTB's own defaults:
            5, 5, 5, 1, 20 seconds); ``None`` waits forever.
        keepalive_timeout: seconds an idle connection stays open for reuse.
        proxy: an ``http://`` proxy URL for every request (aiohttp supports no SOCKS).
        trust_env: read proxy settings from ``HTTP(S)_PROXY``/``NO_PROXY`` and ``~/.netrc``,
            as httpx does by default. Off by default here: aiohttp then looks both up in a
            thread for *every* request, which costs a third of the throughput; pass ``proxy``.
    """

    __slots__ = (
        "_connect_timeout",
        "_keepalive_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_timeouts",
        "_trust_env",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        *,
        keepalive_timeout: float = 30.0,
        proxy: str | None = None,
        trust_env: bool = False,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._keepalive_timeout = keepalive_timeout
        self._proxy = proxy
        self._trust_env = trust_env
        self._session: aiohttp.ClientSession | None = None
        # ClientTimeout objects by (read, write, connect, pool): a few distinct ones in practice
        self._timeouts: dict[tuple[float | bool | None, ...], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds getUpdates' ``timeout`` to it for long polls)."""
        return self._read_timeout

    @property
    def connection_pool_size(self) -> int:
        return self._pool_size

    async def initialize(self) -> None:
        """Open the session (again, after a ``shutdown``); a no-op while it is open."""
        if self._session is not None and not self._session.closed:
            return
        connector = aiohttp.TCPConnector(
            limit=self._pool_size,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_timeout,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            timeout=self._timeout(
                self._read_timeout,
                self._write_timeout,
                self._connect_timeout,
                self._pool_timeout,
                has_body=False,
            ),
            trust_env=self._trust_env,
            raise_for_status=False,
        )

    async def shutdown(self) -> None:
        """Close the session and its connections; calling it twice is harmless."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def _timeout(
        self,
        read: float | None,
        write: float | None,
        connect: float | None,
        pool: float | None,
        *,
        has_body: bool,
    ) -> aiohttp.ClientTimeout:
        key = (read, write, connect, pool, has_body)
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = aiohttp.ClientTimeout(
                total=_sum(read, write, connect, pool) if has_body else None,
                connect=_sum(pool, connect),
                sock_connect=connect,
                sock_read=read,
            )
            if len(self._timeouts) < 64:
                self._timeouts[key] = timeout
        return timeout

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See :meth:`BaseRequest.do_request`: (HTTP status, body) or TimedOut/NetworkError."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")

        files = request_data.multipart_data if request_data is not None else None
        fields = request_data.json_parameters if request_data is not None else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write = self._media_write_timeout if files else self._write_timeout
        else:
            write = write_timeout

        body: Any = None
        headers: dict[str, str] | None = None
        if files:
            form = aiohttp.FormData(quote_fields=False, charset="utf-8")
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime_type) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            body = form
        elif request_data is not None and request_data.parameters:
            body = json.dumps(request_data.parameters, separators=(",", ":")).encode("utf-8")
            headers = {"Content-Type": _JSON}

        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=self._timeout(read, write, connect, pool, has_body=body is not None),
                proxy=self._proxy,
            ) as response:
                payload = await response.read()
                return response.status, payload
        except aiohttp.ConnectionTimeoutError as err:
            raise TimedOut(message=_POOL_OR_CONNECT) from err
        except TimeoutError as err:
            # aiohttp's read and total timeouts (ServerTimeoutError is a TimeoutError too)
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # the class name helps when the message is empty, as in HTTPXRequest
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def http_request(
    config: Config, pool_size: int, read_timeout: float | None = None
) -> AiohttpRequest:
    """The bot's HTTP client (aiohttp: several times the throughput of PTB's default)."""
    timeout = config.telegram.request_timeout
    return AiohttpRequest(
        connection_pool_size=pool_size,
        read_timeout=read_timeout or timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
        pool_timeout=timeout,
    )
