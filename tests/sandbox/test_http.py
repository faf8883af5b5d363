"""The sandbox's HTTP front (sandbox/http.py): routing, limits, errors, ports."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from sandbox import Sandbox
from sandbox.http import HttpRequest, HttpResponse, HttpServer, PortInUse, Router, route
from tests.sandbox.conftest import raw_call


async def _echo(request: HttpRequest) -> HttpResponse:
    text = f"{request.method} {request.path} {request.match_info} {request.query} {request.body!r}"
    return HttpResponse.text(text, 200)


async def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a handler")


@pytest.fixture
async def server() -> AsyncIterator[HttpServer]:
    srv = HttpServer(
        Router(
            [
                route("POST", r"/items/{item_id:\d+}/{verb}", _echo),
                route("GET", "/items", _echo),
                route("GET", "/broken", _broken),
            ]
        ),
        max_body_bytes=1000,
    )
    await srv.start("127.0.0.1", 0)
    yield srv
    await srv.stop()


async def test_routes_params_query_and_body(
    server: HttpServer, http: aiohttp.ClientSession
) -> None:
    base = f"http://127.0.0.1:{server.port}"
    async with http.post(f"{base}/items/42/%E6%8A%A2?a=1&a=2&b=", data=b"x=1") as resp:
        assert resp.status == 200
        assert await resp.text() == (
            "POST /items/42/抢 {'item_id': '42', 'verb': '抢'} {'a': '1', 'b': ''} b'x=1'"
        )
    async with http.get(f"{base}/items") as resp:
        assert (resp.status, await resp.text()) == (200, "GET /items {} {} b''")
    async with http.head(f"{base}/items") as resp:  # HEAD answers as GET, without a body
        assert (resp.status, await resp.read()) == (200, b"")


async def test_unknown_path_wrong_method_and_too_large(
    server: HttpServer, http: aiohttp.ClientSession
) -> None:
    base = f"http://127.0.0.1:{server.port}"
    async with http.get(f"{base}/items/x/y") as resp:  # not digits: no route
        assert resp.status == 404
    async with http.get(f"{base}/items/1/y") as resp:
        assert resp.status == 405
    async with http.post(f"{base}/items/1/y", data=b"z" * 1001) as resp:
        assert (resp.status, await resp.text()) == (413, "413: Request Entity Too Large")
    async with http.post(f"{base}/items/1/y", data=b"z" * 1000) as resp:
        assert resp.status == 200


async def test_a_failing_handler_is_a_logged_500_and_the_server_goes_on(
    server: HttpServer, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    base = f"http://127.0.0.1:{server.port}"
    with caplog.at_level(logging.ERROR, logger="sandbox.http"):
        async with http.get(f"{base}/broken") as resp:
            assert resp.status == 500
    assert "GET /broken failed" in caplog.text and "a bug in a handler" in caplog.text
    async with http.get(f"{base}/items") as resp:
        assert resp.status == 200


async def test_free_ports_and_a_taken_port() -> None:
    first, second = Sandbox(), Sandbox()
    async with first, second:
        assert first.port and second.port and first.port != second.port
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        try:
            with pytest.raises(PortInUse) as refused:
                await Sandbox().start("127.0.0.1", taken.getsockname()[1])
            assert refused.value.port == taken.getsockname()[1]
            with pytest.raises(PortInUse):  # a running sandbox's port is not shared either
                await Sandbox().start("127.0.0.1", first.port)
        finally:
            taken.close()


async def test_a_port_left_in_time_wait_is_taken_again_at_once() -> None:
    """A sandbox stopped with a connection open (the bot's, kept alive) closes it first,
    so its side waits in TIME_WAIT for a minute: the next sandbox on that port (``make
    run`` right after Ctrl+C) starts all the same."""
    first = await Sandbox().start("127.0.0.1", 0)
    port = first.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /sandbox/users HTTP/1.1\r\nHost: sandbox\r\n\r\n")
    await writer.drain()
    assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    await first.stop()  # the server closes the kept-alive connection: TIME_WAIT on its side
    assert (await reader.read()).endswith(b"[]}")  # the rest of the answer, then the close
    writer.close()
    with socket.socket() as plain, pytest.raises(OSError):  # the port is in TIME_WAIT
        plain.bind(("127.0.0.1", port))
    second = await Sandbox().start("127.0.0.1", port)
    try:
        assert second.port == port
        async with aiohttp.ClientSession() as http, http.get(f"{second.url}/sandbox/users") as r:
            assert r.status == 200
    finally:
        await second.stop()


async def test_malformed_bodies_are_bot_api_errors(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.user(1001)
    url = f"{sandbox.base_url}{sandbox.token}/sendMessage"
    broken = b'--xyz\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n1001'
    headers = {"Content-Type": "multipart/form-data; boundary=xyz"}
    async with http.post(url, data=broken, headers=headers) as resp:
        body = await resp.json()
    assert resp.status == 400 and body["ok"] is False
    assert body["description"].startswith("Bad Request: can't parse multipart body")
    headers = {"Content-Type": "multipart/form-data"}
    async with http.post(url, data=b"--", headers=headers) as resp:
        assert (resp.status, (await resp.json())["description"]) == (
            400,
            "Bad Request: multipart body without a boundary",
        )
    # a form-encoded call still works after them
    status, body = await raw_call(
        http, sandbox, "sendMessage", {"chat_id": 1001, "text": "好"}, form=True
    )
    assert status == 200 and body["result"]["text"] == "好"


async def test_a_stop_that_never_ends_is_given_up(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    srv = HttpServer(Router([route("GET", "/items", _echo)]), 1000, stop_timeout=0.2)
    await srv.start("127.0.0.1", 0)
    granian = srv._server
    assert granian is not None
    monkeypatch.setattr(granian, "stop", lambda: None)  # as when its graceful stop hangs
    with caplog.at_level(logging.WARNING, logger="sandbox.http"):
        await srv.stop()
    assert f"HTTP server on port {srv.port} did not stop within 0.2s" in caplog.text
    await granian.shutdown()  # its worker, still serving, stops for good
