"""The Bot API side: ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` routes."""

from __future__ import annotations

import json
import logging
from typing import Any

from sandbox.decoding import decode_params
from sandbox.deliveries import Deliveries, RequestLog
from sandbox.errors import NOT_FOUND, UNAUTHORIZED, ApiError, bad_request, too_many_requests
from sandbox.faults import Faults
from sandbox.http import HttpError, HttpRequest, HttpResponse, Route, route
from sandbox.limits import Limits
from sandbox.method_context import Call
from sandbox.methods import HANDLERS
from sandbox.rate_limits import RateLimiter, counted_method
from sandbox.spec import ApiSpec
from sandbox.state import BotState, ChatState, World
from sandbox.validation import UploadedFile, Validator
from sandbox.views import LoggedRequest
from sandbox.webhook import WebhookDelivery

log = logging.getLogger(__name__)


def _loggable(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, UploadedFile):
            out[key] = value.describe()
        elif isinstance(value, str) and value[:1] in "[{":
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        else:
            out[key] = value
    return out


def _chat_id(params: dict[str, Any]) -> int | None:
    value = params.get("chat_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _delivered_text(result: Any, chat: ChatState | None) -> str | None:
    """The text (or caption) of the message a send/edit produced, "" for one without."""
    if not isinstance(result, dict):
        return None
    text = result.get("text") or result.get("caption")
    if text is None and chat is not None and "message_id" in result:  # copyMessage
        stored = chat.messages.get(result["message_id"])
        if stored is not None:
            text = stored.message.get("text") or stored.message.get("caption")
    return str(text or "")


class BotApi:
    def __init__(
        self,
        world: World,
        spec: ApiSpec,
        limits: Limits,
        faults: Faults,
        requests: RequestLog,
        webhooks: WebhookDelivery,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.world = world
        self.spec = spec
        self.limits = limits
        self.validator = Validator(spec)
        self.faults = faults
        self.requests = requests
        self.webhooks = webhooks
        self.rate_limiter = rate_limiter
        self.rate_limited_count = 0
        self.deliveries = Deliveries()

    def routes(self) -> list[Route]:
        return [
            route("*", r"/bot{token:[^/]+}/{method:[^/]*}", self.handle),
            route("GET", r"/file/bot{token:[^/]+}/{path:.+}", self.file),
        ]

    async def handle(self, request: HttpRequest) -> HttpResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        entry = LoggedRequest(name, {}, 200, True, None, None, http_method=request.method)
        self.requests.append(entry)
        self.world.signal.fire()
        try:
            result = await self._call(request, token, name, entry)
        except ApiError as exc:
            entry.status, entry.ok, entry.description = exc.error_code, False, exc.description
            return HttpResponse.json(exc.envelope(), exc.error_code)
        finally:
            self.world.signal.fire()
        return HttpResponse.json({"ok": True, "result": result})

    async def _call(self, request: HttpRequest, token: str, name: str, entry: LoggedRequest) -> Any:
        bot = self.world.bot(token)
        if bot is None:
            raise UNAUTHORIZED
        entry.bot_id = bot.bot_id
        method = self.spec.canonical_method(name)
        if method is None:
            raise NOT_FOUND
        entry.method = method
        raw = decode_params(request)
        logged = self.requests.limit != 0  # the log is off: skip making entries readable
        entry.chat_id = _chat_id(raw)
        if logged:
            entry.params = _loggable(raw)
        if method not in HANDLERS:
            raise bad_request(f"method {method} is not supported by the sandbox")
        params = self.validator.method_params(method, raw)
        if logged:
            entry.params = _loggable(params)
        if self.faults.rules:
            rule = self.faults.take(method, entry.chat_id)
            if rule is not None:
                log.info("sandbox fault %s on %s (chat %s)", rule.kind, method, entry.chat_id)
                if rule.kind == "slow":  # cut short only when the sandbox stops
                    world = self.world
                    await world.signal.wait_until(lambda: world.closing, rule.delay_s)
                else:
                    error = rule.error()
                    if error is not None:
                        raise error
        call = Call(self.world, bot, method, params, self.limits, self._webhook_changed)
        if not counted_method(method):
            return await HANDLERS[method](call)
        return await self._send(call)

    async def _send(self, call: Call) -> Any:
        """A call that sends or edits a message: flood limits first, the delivery counted."""
        chat_id = call.params.get("chat_id")
        chat = self.world.find_chat(call.bot, chat_id) if chat_id is not None else None
        limiter = self.rate_limiter
        paid = call.params.get("allow_paid_broadcast") is True
        if limiter is not None:
            retry_after = limiter.take(call.bot.bot_id, chat, paid, self.world.now())
            if retry_after is not None:
                self.rate_limited_count += 1
                raise too_many_requests(retry_after)
        try:
            result = await HANDLERS[call.method](call)
        except BaseException:
            if limiter is not None:
                limiter.give_back(call.bot.bot_id, chat, paid, self.world.now())
            raise
        text = _delivered_text(result, chat)
        if text is not None and chat is not None:
            self.deliveries.add(call.bot.bot_id, call.method, chat.id, text)
        return result

    def _webhook_changed(self, bot: BotState) -> None:
        self.webhooks.changed(bot)

    async def file(self, request: HttpRequest) -> HttpResponse:
        if self.world.bot(request.match_info["token"]) is None:
            raise HttpError(401, "Unauthorized")
        stored = self.world.files_by_path.get(request.match_info["path"])
        if stored is None or stored.data is None:
            raise HttpError(404, "Not Found")
        return HttpResponse(
            stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
