"""The bot's HTTP client: python-telegram-bot's ``BaseRequest`` on one ``pyreqwest`` client.

What it buys: the HTTP client decides how many messages the bot can send and how fast
a storm of button presses is answered (a grab storm's thousand answers are the bot's
floor), and this one costs less CPU per request than aiohttp's client (which this class
used before) or PTB's default ``HTTPXRequest``. ``pyreqwest`` is a maintained binding of Rust's
``reqwest``/``hyper``: the HTTP work runs in compiled code (a Tokio runtime on a thread
of its own), and Python only hands over the request and takes back the answer. The
figures (``bench/http_client.py``, ``bench/grab_storm.py`` and micro-benchmarks) are in
``bench/README.md``, section "HTTP client". The bot's production requests and the
benchmarks go through this same class::

    request = ReqwestRequest(connection_pool_size=64)
    app = (
        ApplicationBuilder().token(token).request(request)
        .get_updates_request(ReqwestRequest(connection_pool_size=1))
        .build()
    )

Without files it sends the parameters as one ``application/json`` body (one of the three
encodings the Bot API accepts), serialised by pyreqwest itself (``body_json``: less of
the event loop per call than ``json.dumps`` and a header, and far less than urlencoding
every field in Python as PTB does); with files, what ``HTTPXRequest`` sends:
``multipart/form-data``, the JSON-encoded fields (``request_data.json_parameters``) then
each file part with its file name and MIME type. Errors map as for ``HTTPXRequest`` —
timeouts to :class:`telegram.error.TimedOut`, other transport errors to
:class:`telegram.error.NetworkError`. ``BaseRequest`` parses the answer's envelope into
``RetryAfter``, ``Forbidden``, ``BadRequest`` … exactly as for ``HTTPXRequest``.

Timeouts (PTB's four, per call; ``DEFAULT_NONE`` meaning this instance's default):

- ``pool``: calls wait at most this long for one of the ``connection_pool_size`` slots
  (calls in flight at most); ``connect`` of this instance bounds opening a connection;
- each call has a deadline, the sum of its ``read``, ``write``, ``connect`` and ``pool``
  timeouts (when all are finite; ``None`` for any of them: no deadline), from the moment
  it is handed over until the answer's last byte. reqwest has no per-call timeout for
  one read, as httpx has: a server that answers nothing fails the call at the deadline,
  not after ``read`` seconds. A long poll (``getUpdates`` with ``timeout=30``) works,
  since PTB adds the poll's time to its read timeout.

Cancelling a call (PTB cancels its long poll when it stops) frees its slot at once, but
pyreqwest does not abort the exchange itself: it runs on in the background until it
ends or reaches its deadline, and its answer is dropped. So the slots are counted here,
on the Python side (an ``asyncio.Semaphore``), not by pyreqwest's own limit, which
would hold a cancelled call's slot: the "mark as read" ``getUpdates`` that PTB sends
when it stops waited out the cancelled long poll's read timeout, on a one-slot client.
The Bot API answers the superseded poll with a 409 conflict, and the updates it may
have carried are not confirmed, so Telegram sends them again.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from pyreqwest import exceptions as reqwest_errors
from pyreqwest.client import Client, ClientBuilder
from pyreqwest.multipart import FormBuilder, PartBuilder
from pyreqwest.proxy import ProxyBuilder
from pyreqwest.request import RequestBuilder
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.config import Config
from bot.runtime.ptb_compat import DefaultValue, JSONDict, Timeout

__all__ = ["ReqwestRequest", "deadline", "http_request"]

_POOL_OR_CONNECT = (
    "Pool timeout or connect timeout: no connection of the pool became free, or a new one "
    "could not be opened, in time. Request was *not* sent to Telegram. Consider adjusting "
    "the connection pool size or the pool/connect timeout."
)


def deadline(
    read: float | None, write: float | None, connect: float | None, pool: float | None
) -> float | None:
    """The time a call may take in all: the sum of its timeouts, or ``None`` (no deadline)
    when any of them is ``None``."""
    if read is None or write is None or connect is None or pool is None:
        return None
    return read + write + connect + pool


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


class ReqwestRequest(BaseRequest):
    """A ``telegram.request.BaseRequest`` on pyreqwest; one client, built in ``initialize``.

    Args:
        connection_pool_size: requests in flight at most (connections are kept alive and
            reused); further requests wait for a free slot, at most ``pool_timeout``.
            Default 256, as ``HTTPXRequest``'s pool.
        read_timeout, write_timeout, connect_timeout, pool_timeout, media_write_timeout:
            the defaults used when a call passes ``DEFAULT_NONE`` (PTB's own defaults:
            5, 5, 5, 1, 20 seconds); ``None`` waits forever. See the module for how they
            bound a call.
        keepalive_timeout: seconds an idle connection stays open for reuse.
        proxy: an ``http://`` or ``https://`` proxy URL for every request.
        trust_env: read proxy settings from ``HTTP(S)_PROXY``/``NO_PROXY``, as httpx does
            by default. Off by default here, as it was for the aiohttp client: pass
            ``proxy``.
    """

    __slots__ = (
        "_client",
        "_connect_timeout",
        "_keepalive_timeout",
        "_media_write_timeout",
        "_periods",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_slots",
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
        self._client: Client | None = None
        self._slots = asyncio.Semaphore(connection_pool_size)
        # deadlines as timedelta, by seconds: a few distinct ones in practice
        self._periods: dict[float, timedelta] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds getUpdates' ``timeout`` to it for long polls)."""
        return self._read_timeout

    @property
    def connection_pool_size(self) -> int:
        return self._pool_size

    async def initialize(self) -> None:
        """Build the client (again, after a ``shutdown``); a no-op while it is open."""
        if self._client is not None:
            return
        builder = (
            ClientBuilder()
            .user_agent(self.USER_AGENT)
            .pool_idle_timeout(_seconds(self._keepalive_timeout))
            .follow_redirects(False)
        )
        if self._connect_timeout is not None:
            builder = builder.connect_timeout(_seconds(self._connect_timeout))
        if self._proxy is not None:
            builder = builder.proxy(ProxyBuilder.all(self._proxy))
        elif not self._trust_env:
            builder = builder.no_proxy()
        self._client = builder.build()
        self._slots = asyncio.Semaphore(self._pool_size)  # on this loop

    async def shutdown(self) -> None:
        """Close the client and its connections; calling it twice is harmless."""
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See :meth:`BaseRequest.do_request`: (HTTP status, body) or TimedOut/NetworkError."""
        client = self._client
        if client is None:
            raise RuntimeError("This ReqwestRequest is not initialized!")

        files = (
            request_data.multipart_data
            if request_data is not None and request_data.contains_files
            else None
        )
        builder = client.request(method, url)
        if files:
            assert request_data is not None
            form = FormBuilder().percent_encode_noop()
            for name, value in request_data.json_parameters.items():
                form = form.text(name, value)
            for name, (filename, content, mime_type) in files.items():
                data = content if isinstance(content, bytes) else content.read()  # a file
                part = PartBuilder.from_bytes(data).mime(mime_type)
                form = form.part(name, part.file_name(filename) if filename else part)
            builder = builder.multipart(form)
        elif request_data is not None:
            params = request_data.parameters
            if params:  # serialised by pyreqwest (serde) with its Content-Type
                builder = builder.body_json(params)
        if isinstance(write_timeout, DefaultValue) and files:
            write_timeout = self._media_write_timeout
        return await self._exchange(
            builder, read_timeout, write_timeout, connect_timeout, pool_timeout
        )

    async def post_json(
        self,
        url: str,
        params: JSONDict,
        *,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> Any:
        """What ``post(url, request_data)`` returns for a call whose parameters are plain
        JSON values (no files, no Telegram objects): the ``result`` of the Bot API's answer,
        or the error PTB raises for it (``BaseRequest`` itself maps an error answer). It
        skips PTB's conversion of each parameter into ``RequestData``, for the calls a
        storm makes by the thousand (see :class:`bot.runtime.volunteer_bot.VolunteerBot`)."""
        client = self._client
        if client is None:  # PTB's own path says so (do_request's error, wrapped)
            return await self.post(url)
        status, payload = await self._exchange(
            client.request("POST", url).body_json(params),
            read_timeout,
            write_timeout,
            connect_timeout,
            pool_timeout,
        )
        if HTTPStatus.OK <= status <= 299:
            return self.parse_json_payload(payload)["result"]
        return await _Answered(status, payload).post(url)  # raises what PTB raises for it

    async def _exchange(
        self,
        builder: RequestBuilder,
        read_timeout: Timeout,
        write_timeout: Timeout,
        connect_timeout: Timeout,
        pool_timeout: Timeout,
    ) -> tuple[int, bytes]:
        """Send the request within its timeouts (see the module; ``DEFAULT_NONE``: this
        instance's) in one of the slots: (HTTP status, body), or TimedOut/NetworkError."""
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        write = self._write_timeout if isinstance(write_timeout, DefaultValue) else write_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        limit = deadline(read, write, connect, pool)
        if limit is not None:
            period = self._periods.get(limit)
            if period is None:
                period = _seconds(limit)
                if len(self._periods) < 64:
                    self._periods[limit] = period
            builder = builder.timeout(period)

        slots = self._slots
        if slots.locked():  # all taken: wait for one, at most the pool timeout
            try:
                async with asyncio.timeout(pool):
                    await slots.acquire()
            except TimeoutError as err:
                raise TimedOut(message=_POOL_OR_CONNECT) from err
        else:
            await slots.acquire()
        try:
            response = await builder.build().send()
            return response.status, bytes(await response.bytes())
        except reqwest_errors.ConnectTimeoutError as err:
            raise TimedOut(message=_POOL_OR_CONNECT) from err
        except reqwest_errors.RequestTimeoutError as err:
            raise TimedOut from err
        except reqwest_errors.PyreqwestError as err:
            # the class name helps when the message is terse, as in HTTPXRequest
            raise NetworkError(f"pyreqwest.{err.__class__.__name__}: {err}") from err
        finally:
            slots.release()


class _Answered(BaseRequest):
    """An answer already received, for ``BaseRequest.post`` to turn into what PTB raises
    (or returns) for it: :meth:`ReqwestRequest.post_json` maps errors exactly as PTB does,
    without a copy of its mapping."""

    __slots__ = ("_answer",)

    def __init__(self, status: int, payload: bytes) -> None:
        self._answer = (status, payload)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return self._answer


def http_request(
    config: Config, pool_size: int, read_timeout: float | None = None
) -> ReqwestRequest:
    """The bot's HTTP client (pyreqwest: the least CPU per request of the clients tried;
    see bench/README.md, section "HTTP client")."""
    timeout = config.telegram.request_timeout
    return ReqwestRequest(
        connection_pool_size=pool_size,
        read_timeout=read_timeout or timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
        pool_timeout=timeout,
    )
