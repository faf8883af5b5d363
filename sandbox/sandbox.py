"""The Sandbox: one emulator (HTTP server + simulated world), many bots and users."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.control import control_routes
from sandbox.deliveries import RequestLog
from sandbox.errors import SandboxTimeout
from sandbox.faults import Faults
from sandbox.http import HttpServer, Router
from sandbox.limits import Limits
from sandbox.methods_bot import command_scope_key
from sandbox.rate_limits import RateLimiter, RateLimits
from sandbox.server import BotApi
from sandbox.spec import load_spec
from sandbox.state import BotState, World
from sandbox.users import SandboxGroup, SandboxUser
from sandbox.views import ChatEvent, LoggedRequest
from sandbox.webhook import WebhookDelivery

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "5550001:SANDBOX-default-token-000000"
MAX_REQUEST_BYTES = 60 * 1024 * 1024
DEFAULT_LANGUAGE = "zh-hans"


class Sandbox:
    """A Telegram Bot API emulator with simulated users, running in the caller's event loop."""

    def __init__(
        self,
        spec_path: Path | None = None,
        *,
        webhook_retry_delay_s: float = 0.2,
        rate_limits: RateLimits | None = None,
        log_limit: int | None = None,
        clock: Callable[[], float] | None = None,
        open_chats: bool = False,
    ):
        """``rate_limits``: enforce Telegram's flood limits (None: no limits, the default).
        ``log_limit``: keep only the last N requests in :attr:`requests` (0: none; None: all).
        ``clock``: the sandbox's time source (default ``time.time``); see :meth:`freeze_clock`.
        ``open_chats``: every positive chat id is a user who has started the bot (benchmarks
        send to thousands of recipients without creating each one first).
        """
        self.spec = load_spec(spec_path)
        self.limits = Limits.for_spec(self.spec)
        log.info("sandbox limits from %s; validation: %s", self.limits.source, self.spec.source)
        self.world = World(clock)
        self.world.open_chats = open_chats
        self.faults = Faults()
        self.requests: RequestLog = RequestLog(log_limit)
        self.webhooks = WebhookDelivery(self.world, webhook_retry_delay_s)
        self.api = BotApi(
            self.world, self.spec, self.limits, self.faults, self.requests, self.webhooks,
            RateLimiter(rate_limits) if rate_limits is not None else None,
        )  # fmt: skip
        self.token = DEFAULT_TOKEN
        self.world.bot(self.token)
        self.host = "127.0.0.1"
        self.port = 0
        self._server: HttpServer | None = None
        self._users: dict[tuple[int, int], SandboxUser] = {}
        self._groups: dict[tuple[int, int], SandboxGroup] = {}

    # server -----------------------------------------------------------------------------------
    def router(self) -> Router:
        return Router([*self.api.routes(), *control_routes(self)])

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        self.world.closing = False
        server = HttpServer(self.router(), MAX_REQUEST_BYTES)
        self.port = await server.start(host, port)
        self._server = server
        self.host = host
        log.info("sandbox Bot API at %s (default token %s)", self.base_url, self.token)
        return self

    async def stop(self) -> None:
        self.world.closing = True
        self.world.signal.fire()
        await self.webhooks.stop()
        if self._server is not None:
            await self._server.stop()
            self._server = None

    async def __aenter__(self) -> Sandbox:
        return await self.start() if self._server is None else self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # bots -------------------------------------------------------------------------------------
    def bot_state(self, token: str | None = None) -> BotState:
        bot = self.world.bot(token or self.token)
        if bot is None:
            raise ValueError(f"malformed bot token {token!r}")
        return bot

    def pending_updates(self, token: str | None = None) -> list[dict[str, Any]]:
        return list(self.bot_state(token).updates)

    def commands(
        self,
        scope: dict[str, Any] | None = None,
        language_code: str = "",
        token: str | None = None,
    ) -> list[dict[str, Any]]:
        """The commands stored by setMyCommands for this scope and language."""
        return list(self.bot_state(token).commands.get(command_scope_key(scope, language_code), []))

    def menu_of(self, user_id: int, token: str | None = None) -> list[str]:
        """The commands a user sees behind "/" in their private chat with the bot, as
        Telegram picks them: the most specific scope that has commands — this chat in
        the user's language, this chat, all private chats (in their language, then
        any), the default (in their language, then any)."""
        bot = self.bot_state(token)
        code = str(self.world.profiles.get(user_id, {}).get("language_code") or "")
        language = code.replace("_", "-").split("-")[0].lower()
        scopes = ({"type": "chat", "chat_id": user_id}, {"type": "all_private_chats"}, None)
        for scope in scopes:
            for lang in (language, "") if language else ("",):
                found = bot.commands.get(command_scope_key(scope, lang))
                if found:
                    return [c["command"] for c in found]
        return []

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        """Wait until ``predicate()`` holds (re-checked on every change of the sandbox: a
        request arriving or answered, a message, an update); AssertionError on timeout."""
        if not await self.world.signal.wait_until(predicate, timeout):
            raise SandboxTimeout(f"sandbox: condition still false after {timeout}s")

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox's clock on, e.g. past a callback query's 15 s answer window."""
        self.world.advance_clock(seconds)

    def freeze_clock(self, at: float | None = None) -> float:
        """Stop the sandbox's clock (at ``at``, or now): only :meth:`advance_clock` moves it
        then, so flood limits and answer windows are deterministic. Returns the time."""
        return self.world.freeze_clock(at)

    def unfreeze_clock(self) -> None:
        self.world.unfreeze_clock()

    # flood limits and delivery counts -------------------------------------------------------
    @property
    def rate_limits(self) -> RateLimits | None:
        """The flood limits enforced now (None: none)."""
        limiter = self.api.rate_limiter
        return limiter.limits if limiter is not None else None

    def set_rate_limits(self, rate_limits: RateLimits | None = None, **changes: Any) -> None:
        """Enforce ``rate_limits`` from now on (None and no ``changes``: stop enforcing).

        ``changes`` adjust the limits in force (Telegram's defaults if none were), e.g.
        ``sb.set_rate_limits(overall_per_s=1000, per_chat_per_s=None)``. The buckets start
        full again.
        """
        if changes:
            rate_limits = (rate_limits or self.rate_limits or RateLimits()).updated(**changes)
        self.api.rate_limiter = RateLimiter(rate_limits) if rate_limits is not None else None

    @property
    def rate_limited_count(self) -> int:
        """How many 429s the flood limits answered (injected 429 faults not included)."""
        return self.api.rate_limited_count

    def delivered(
        self, method: str | None = "sendMessage", token: str | None = None
    ) -> dict[int, dict[str, int]]:
        """chat id → message text (or caption; "" for none) → how many times it was
        delivered by ``method`` (any sending/editing method if None)."""
        return self.api.deliveries.per_chat(self.bot_state(token).bot_id, method)

    def set_log_limit(self, limit: int | None) -> None:
        """Keep only the last ``limit`` requests in :attr:`requests` (0: none; None: all)."""
        self.requests.set_limit(limit)

    # the simulated world --------------------------------------------------------------------
    def user(
        self,
        user_id: int = 1001,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        token: str | None = None,
        phone_number: str | None = None,
    ) -> SandboxUser:
        """The user ``user_id`` in a private chat with the bot of ``token`` (same object again
        for the same id; names given again update the profile)."""
        bot = self.bot_state(token)
        profile = self.world.profiles.get(user_id)
        if profile is None or any(
            v is not None for v in (first_name, last_name, username, language_code, phone_number)
        ):
            old = profile or {}
            self.world.set_profile(
                user_id,
                first_name or old.get("first_name") or f"User {user_id}",
                last_name if last_name is not None else old.get("last_name"),
                username if username is not None else old.get("username"),
                language_code
                if language_code is not None
                else old.get("language_code", DEFAULT_LANGUAGE),
                phone_number or self.world.phones.get(user_id),
            )
        key = (bot.bot_id, user_id)
        if key not in self._users:
            self._users[key] = SandboxUser(self.world, bot, user_id)
        return self._users[key]

    def users(self, token: str | None = None) -> list[SandboxUser]:
        bot_id = self.bot_state(token).bot_id
        return [u for (b, _), u in self._users.items() if b == bot_id]

    def group(
        self,
        chat_id: int = -1001000000001,
        title: str = "Sandbox group",
        *,
        type: str | None = None,
        username: str | None = None,
        members: list[SandboxUser] | None = None,
        token: str | None = None,
    ) -> SandboxGroup:
        """A group the bot is in (supergroup for -100… ids, else group; or type="channel")."""
        bot = self.bot_state(token)
        chat_type = type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        key = (bot.bot_id, chat_id)
        if key not in self._groups:
            chat = self.world.group_chat(bot, chat_id, title, chat_type, username)
            self._groups[key] = SandboxGroup(self.world, bot, chat)
        group = self._groups[key]
        for member in members or []:
            group.add_member(member)
        return group

    def chat_log(self, chat_id: int, token: str | None = None) -> list[ChatEvent]:
        """Every event of the chat in order: user messages, presses, sends, edits, deletions."""
        chat = self.bot_state(token).chats.get(chat_id)
        return list(chat.events) if chat else []

    def all_bot_messages(self, include_buttons: bool = False) -> list[str]:
        """Every text and caption the bot ever sent or edited to any chat, in order."""
        out: list[str] = []
        for event in self.world.events:
            if event.kind in ("sent", "edited") and event.message is not None:
                if event.message.content:
                    out.append(event.message.content)
                if include_buttons:
                    out.extend(label for row in event.message.buttons for label in row)
        return out

    def calls(self, method: str | None = None) -> list[LoggedRequest]:
        """The logged Bot API requests, optionally of one method (case-insensitive)."""
        if method is None:
            return list(self.requests)
        return [r for r in self.requests if r.method.lower() == method.lower()]
