"""sendMessage/s through python-telegram-bot with each HTTP client, against the sandbox.

    .venv/bin/python bench/http_client.py --messages 5000 --concurrency 64

Starts the sandbox in a process of its own (``python -m sandbox --port 0``, request log
off, no flood limits unless ``--sandbox-arg`` adds some), creates ``--chats`` users, then for
each client sends ``--messages`` messages from ``--concurrency`` concurrent tasks (after a
warm-up that opens the connections), round-robin over the chats:

- ``httpx``: PTB's default ``HTTPXRequest``, its pool raised to the concurrency;
- ``reqwest``: the bot's own ``bot.runtime.http_client.ReqwestRequest`` (pyreqwest);

each in two modes (``--mode``): ``bot`` — ``Bot.send_message``, what the bot pays, PTB's
parsing of the returned Message included — and ``post`` — the request object's ``post``
alone (keys ``*_post_per_s``). A last run with bare aiohttp and ready-made bodies measures
the sandbox's own ceiling (``sandbox_ceiling_per_s``). For every run the CPU of the sandbox
process and of the benchmark is given in percent of one core: near 100 % says who the limit
was (this machine has 2 cores: one each).

Every message is checked as delivered exactly once (the sandbox's ``/sandbox/delivered``).
The last line of the output is one JSON object:
``{"messages": 5000, "concurrency": 64, "httpx_per_s": …, "reqwest_per_s": …, …}``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.runtime.http_client import ReqwestRequest
from sandbox.process import SandboxProcess

CLIENTS = ("httpx", "reqwest")
FIRST_CHAT = 100_001


def make_request(kind: str, concurrency: int) -> BaseRequest:
    if kind == "httpx":
        return HTTPXRequest(connection_pool_size=concurrency, pool_timeout=10.0)
    if kind == "reqwest":
        return ReqwestRequest(connection_pool_size=concurrency, pool_timeout=10.0)
    raise ValueError(f"unknown client {kind!r}")


async def control(
    http: aiohttp.ClientSession, method: str, url: str, body: dict[str, Any] | None = None
) -> Any:
    async with http.request(method, url, json=body) as resp:
        payload = await resp.json()
        if resp.status != 200:
            raise RuntimeError(f"{method} {url}: {resp.status} {payload}")
        return payload["result"]


Send = Callable[[int, str], Awaitable[object]]


async def send_all(send: Send, prefix: str, count: int, concurrency: int, chats: list[int]) -> int:
    """Send ``count`` messages from ``concurrency`` tasks; returns the number of errors."""
    errors = 0

    async def worker(first: int) -> None:
        nonlocal errors
        for i in range(first, count, concurrency):
            try:
                await send(chats[i % len(chats)], f"{prefix} {i}")
            except Exception as exc:  # counted and reported, the run goes on
                errors += 1
                if errors <= 3:
                    print(f"{prefix}: {exc!r}", file=sys.stderr)

    await asyncio.gather(*(worker(w) for w in range(min(concurrency, count))))
    return errors


async def timed(
    send: Send, name: str, sb: SandboxProcess, args: argparse.Namespace, chats: list[int]
) -> dict[str, Any]:
    """Warm up (connections opened), then send ``--messages`` and time them."""
    warm = min(args.concurrency * 4, args.messages)
    await send_all(send, f"warm-{name}", warm, args.concurrency, chats)
    cpu_sandbox, cpu_self = sb.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    errors = await send_all(send, name, args.messages, args.concurrency, chats)
    elapsed = time.perf_counter() - started
    return {
        "per_s": round(args.messages / elapsed, 1),
        "seconds": round(elapsed, 3),
        "errors": errors,
        "sandbox_cpu_pct": round(100 * (sb.cpu_seconds() - cpu_sandbox) / elapsed, 1),
        "bench_cpu_pct": round(100 * (time.process_time() - cpu_self) / elapsed, 1),
    }


async def measure(
    mode: str, kind: str, sb: SandboxProcess, args: argparse.Namespace, chats: list[int]
) -> dict[str, Any]:
    """``bot``: ``Bot.send_message`` (PTB builds the Message); ``post``: the request object's
    ``post`` alone (BaseRequest parses the JSON envelope, nothing more)."""
    name = kind if mode == "bot" else f"{kind}_post"
    request = make_request(kind, args.concurrency)
    if mode == "bot":
        bot = Bot(sb.token, base_url=sb.base_url, base_file_url=sb.base_file_url, request=request)
        async with bot:
            return await timed(bot.send_message, name, sb, args, chats)
    url = f"{sb.base_url}{sb.token}/sendMessage"

    async def post(chat_id: int, text: str) -> object:
        parameters = {"chat_id": chat_id, "text": text}
        data = RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()])
        return await request.post(url, data)

    async with request:
        return await timed(post, name, sb, args, chats)


async def sandbox_ceiling(
    sb: SandboxProcess, args: argparse.Namespace, chats: list[int]
) -> dict[str, Any]:
    """The sandbox's own limit: bare aiohttp posts of ready-made bodies, nothing parsed."""
    url = f"{sb.base_url}{sb.token}/sendMessage"
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def post(chat_id: int, text: str) -> object:
            body = urlencode({"chat_id": chat_id, "text": text}).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            async with http.post(url, data=body, headers=headers) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}: {await resp.text()}")
                return await resp.read()

        return await timed(post, "raw", sb, args, chats)


async def check_delivered(
    http: aiohttp.ClientSession, sb: SandboxProcess, kinds: list[str], messages: int
) -> dict[str, Any]:
    """Each measured message delivered exactly once?"""
    summary = await control(http, "GET", f"{sb.url}/sandbox/delivered?method=sendMessage")
    seen: dict[str, int] = {kind: 0 for kind in kinds}
    for counts in summary["chats"].values():
        for text, n in counts.items():
            prefix = text.split(" ", 1)[0]
            if prefix in seen:
                seen[prefix] += n
    return {
        "delivered_ok": all(seen[k] == messages for k in kinds) and not summary["duplicates"],
        "delivered": seen,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    kinds = [k.strip() for k in args.clients.split(",") if k.strip()]
    modes = ["bot", "post"] if args.mode == "both" else [args.mode]
    for kind in kinds:
        if kind not in CLIENTS:
            raise SystemExit(f"--clients: {kind!r} is not one of {', '.join(CLIENTS)}")
    extra = ["--log-limit", str(args.log_limit), *args.sandbox_arg]
    result: dict[str, Any] = {"messages": args.messages, "concurrency": args.concurrency}
    with SandboxProcess(*extra) as sb:
        async with aiohttp.ClientSession() as http:
            chats = [FIRST_CHAT + i for i in range(args.chats)]
            for chat_id in chats:
                await control(http, "POST", f"{sb.url}/sandbox/users", {"user_id": chat_id})
            runs: list[tuple[str, Callable[[], Awaitable[dict[str, Any]]]]] = []
            for kind in kinds:
                for mode in modes:
                    name = kind if mode == "bot" else f"{kind}_post"
                    runs.append((name, functools.partial(measure, mode, kind, sb, args, chats)))
            if args.ceiling:
                ceiling = functools.partial(sandbox_ceiling, sb, args, chats)
                runs.append(("sandbox_ceiling", ceiling))
            texts = ["raw" if name == "sandbox_ceiling" else name for name, _ in runs]
            delivered_ok = True
            for _ in range(args.rounds):
                await control(http, "DELETE", f"{sb.url}/sandbox/delivered")
                for name, run_once in runs:
                    found = await run_once()
                    print(f"{name}: {found}", file=sys.stderr)
                    if found["per_s"] >= result.get(f"{name}_per_s", 0.0):
                        result[f"{name}_per_s"] = found["per_s"]
                        result[f"{name}_sandbox_cpu_pct"] = found["sandbox_cpu_pct"]
                        result[f"{name}_bench_cpu_pct"] = found["bench_cpu_pct"]
                    result[f"{name}_errors"] = result.get(f"{name}_errors", 0) + found["errors"]
                check = await check_delivered(http, sb, texts, args.messages)
                delivered_ok = delivered_ok and check["delivered_ok"]
                if not check["delivered_ok"]:
                    print(f"not delivered exactly once: {check['delivered']}", file=sys.stderr)
            result["delivered_ok"] = delivered_ok
    result.update({"chats": args.chats, "rounds": args.rounds, "sandbox_args": extra})
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000, help="messages per client run")
    parser.add_argument("--concurrency", type=int, default=64, help="concurrent sends")
    parser.add_argument("--chats", type=int, default=100, help="recipients (round-robin)")
    parser.add_argument("--clients", default=",".join(CLIENTS), help="httpx,reqwest")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each (the best counts)")
    parser.add_argument(
        "--mode",
        choices=("bot", "post", "both"),
        default="both",
        help="bot: Bot.send_message; post: the request object alone; both (default)",
    )
    parser.add_argument(
        "--no-ceiling",
        dest="ceiling",
        action="store_false",
        help="skip the bare-aiohttp run that measures the sandbox's own ceiling",
    )
    parser.add_argument("--log-limit", type=int, default=0, help="sandbox --log-limit")
    parser.add_argument(
        "--sandbox-arg",
        action="append",
        default=[],
        help="extra argument for python -m sandbox (repeat: --sandbox-arg=--rate ...)",
    )
    args = parser.parse_args(argv)
    if not (args.messages > 0 and args.concurrency > 0 and args.chats > 0 and args.rounds > 0):
        parser.error("--messages, --concurrency, --chats and --rounds must be positive")
    result = asyncio.run(run(args))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
