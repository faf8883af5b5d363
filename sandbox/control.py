"""The control HTTP API under ``/sandbox/…``: drive users, read chats, set faults, read logs,
set flood limits (``/sandbox/rate_limits``), count deliveries (``/sandbox/delivered``), move or
freeze the clock (``/sandbox/clock``).

All JSON; answers ``{"ok": true, "result": …}`` or ``{"ok": false, "description": …}``.
``?token=`` (or a "token" field) picks the bot; the default token otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.errors import NoSuchButton, SandboxTimeout
from sandbox.http import Handler, HttpError, HttpRequest, HttpResponse, Route, route
from sandbox.rate_limits import RateLimits
from sandbox.users import SandboxUser

if TYPE_CHECKING:
    from sandbox.sandbox import Sandbox

MAX_WAIT_S = 60.0


def _ok(result: Any) -> HttpResponse:
    return HttpResponse.json({"ok": True, "result": result})


def _fail(status: int, description: str) -> HttpResponse:
    return HttpResponse.json({"ok": False, "description": description}, status)


def _body(request: HttpRequest) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = request.json()
    except ValueError:
        raise HttpError(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise HttpError(400, "the body must be a JSON object")
    return body


def _user_dict(user: SandboxUser) -> dict[str, Any]:
    return {
        "user": user.profile,
        "chat_id": user.chat_id,
        "bot_id": user.bot.bot_id,
        "phone_number": user.phone_number,
        "reply_keyboard": user.reply_keyboard,
        "blocked": user.chat.blocked,
    }


def control_routes(sb: Sandbox) -> list[Route]:
    def token(request: HttpRequest, body: dict[str, Any] | None = None) -> str | None:
        return (body or {}).get("token") or request.query.get("token")

    def guarded(handler: Handler) -> Handler:
        async def wrapper(request: HttpRequest) -> HttpResponse:
            try:
                return await handler(request)
            except SandboxTimeout as exc:
                return _fail(504, str(exc))
            except (NoSuchButton, KeyError, ValueError, TypeError, NotImplementedError) as exc:
                return _fail(400, f"{exc.__class__.__name__}: {exc}")
            except HttpError as exc:
                return _fail(exc.status, exc.text)

        return wrapper

    async def info(request: HttpRequest) -> HttpResponse:
        return _ok(
            {
                "url": sb.url,
                "base_url": sb.base_url,
                "base_file_url": sb.base_file_url,
                "token": sb.token,
                "spec": sb.spec.source,
                "limits": sb.limits.source,
                "bots": sorted(sb.world.bots),
                "last_seq": sb.world.last_seq,
                "rate_limits": _limits_dict(sb),
                "rate_limited_count": sb.rate_limited_count,
                "requests_logged": len(sb.requests) + sb.requests.dropped,
            }
        )

    async def list_users(request: HttpRequest) -> HttpResponse:
        return _ok([_user_dict(u) for u in sb.users(token(request))])

    async def create_user(request: HttpRequest) -> HttpResponse:
        body = _body(request)
        user = sb.user(
            int(body["user_id"]),
            first_name=body.get("first_name"),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code"),
            phone_number=body.get("phone_number"),
            token=token(request, body),
        )
        return _ok(_user_dict(user))

    def user_of(request: HttpRequest, body: dict[str, Any]) -> SandboxUser:
        return sb.user(int(request.match_info["user_id"]), token=token(request, body))

    async def get_user(request: HttpRequest) -> HttpResponse:
        return _ok(_user_dict(user_of(request, {})))

    async def action(request: HttpRequest) -> HttpResponse:
        body = _body(request)
        user = user_of(request, body)
        verb = request.match_info["verb"]
        result: Any
        if verb == "send":
            result = await user.send(str(body["text"]))
        elif verb == "command":
            result = await user.command(str(body["command"]), str(body.get("args", "")))
        elif verb == "contact":
            kwargs: dict[str, Any] = {
                k: body[k] for k in ("phone_number", "first_name", "last_name") if k in body
            }
            if "user_id" in body and body["user_id"] != "self":
                kwargs["user_id"] = body["user_id"]
            result = await user.share_contact(**kwargs)
        elif verb == "location":
            result = await user.share_location(float(body["latitude"]), float(body["longitude"]))
        elif verb == "tap":
            result = await user.tap(
                str(body["label"]),
                shared_user_ids=body.get("shared_user_ids"),
                shared_chat_id=body.get("shared_chat_id"),
            )
        elif verb == "press":
            timeout = min(float(body.get("timeout", 10)), MAX_WAIT_S)
            if "data" in body:
                answer = await user.press_data(
                    int(body["message_id"]), str(body["data"]), timeout=timeout
                )
            else:
                answer = await user.press(
                    str(body["label"]), body.get("message_id"), timeout=timeout
                )
            result = answer.to_dict()
        elif verb == "callback":  # a press delivered without waiting for the answer
            record = user.send_callback(int(body["message_id"]), str(body["data"]))
            result = {"callback_query_id": record.id}
        elif verb == "block":
            user.block()
            result = True
        elif verb == "unblock":
            user.unblock()
            result = True
        else:
            return _fail(404, f"unknown action {verb!r}")
        return _ok({"result": result, "seq": sb.world.last_seq})

    async def messages(request: HttpRequest) -> HttpResponse:
        chat = sb.bot_state(token(request)).chats.get(int(request.match_info["chat_id"]))
        if chat is None:
            return _fail(404, "chat not found")
        include_user = request.query.get("all", "") in ("1", "true", "yes")
        stored = chat.messages.values() if include_user else chat.bot_messages()
        return _ok(
            {
                "messages": [m.view().to_dict() for m in stored],
                "reply_keyboard": chat.reply_keyboard,
                "last_seq": sb.world.last_seq,
            }
        )

    async def events(request: HttpRequest) -> HttpResponse:
        chat_id = int(request.match_info["chat_id"])
        since = int(request.query.get("since", 0))
        wait = min(float(request.query.get("wait", 0)), MAX_WAIT_S)
        bot = sb.bot_state(token(request))

        def fresh() -> list[Any]:
            chat = bot.chats.get(chat_id)
            return [e for e in chat.events if e.seq > since] if chat else []

        if wait > 0 and not fresh():
            sb.world.watchers += 1
            sb.world.signal.fire()
            try:
                await sb.world.signal.wait_until(lambda: bool(fresh()) or sb.world.closing, wait)
            finally:
                sb.world.watchers -= 1
        found = fresh()
        last = found[-1].seq if found else since
        return _ok({"events": [e.to_dict() for e in found], "last_seq": last})

    async def list_faults(request: HttpRequest) -> HttpResponse:
        return _ok([r.to_dict() for r in sb.faults.rules])

    async def add_fault(request: HttpRequest) -> HttpResponse:
        body = _body(request)
        allowed = ("kind", "method", "chat_id", "retry_after", "description", "delay_s", "times",
                   "status")  # fmt: skip
        rule = sb.faults.add(**{k: v for k, v in body.items() if k in allowed})
        return _ok(rule.to_dict())

    async def remove_fault(request: HttpRequest) -> HttpResponse:
        return _ok(sb.faults.remove(int(request.match_info["rule_id"])))

    async def clear_faults(request: HttpRequest) -> HttpResponse:
        sb.faults.clear()
        return _ok(True)

    async def requests(request: HttpRequest) -> HttpResponse:
        since = int(request.query.get("since", 0))
        method = request.query.get("method")
        out = []
        for index, entry in sb.requests.since(since):
            if method is None or entry.method.lower() == method.lower():
                out.append({"index": index, **entry.to_dict()})
        return _ok(out)

    async def clock(request: HttpRequest) -> HttpResponse:
        """Body: ``{"advance": s}``; ``{"freeze": true}`` (or a time to freeze at) stops the
        clock, ``{"freeze": false}`` lets it run again."""
        body = _body(request)
        freeze = body.get("freeze")
        if freeze is False:
            sb.unfreeze_clock()
        elif freeze is True:
            sb.freeze_clock()
        elif freeze is not None:
            sb.freeze_clock(float(freeze))
        sb.advance_clock(float(body.get("advance", 0)))
        return _ok({"now": sb.world.now(), "frozen": sb.world.frozen_at is not None})

    async def get_rate_limits(request: HttpRequest) -> HttpResponse:
        return _ok({"limits": _limits_dict(sb), "rate_limited_count": sb.rate_limited_count})

    async def set_rate_limits(request: HttpRequest) -> HttpResponse:
        """Body: fields of RateLimits to change (null lifts one; Telegram's defaults for the
        rest if none were in force), or ``{"enabled": false}`` to stop enforcing."""
        body = _body(request)
        if body.get("enabled") is False:
            sb.set_rate_limits(None)
        else:
            changes = {k: v for k, v in body.items() if k not in ("enabled", "token")}
            sb.set_rate_limits(sb.rate_limits or RateLimits(), **changes)
        return await get_rate_limits(request)

    async def clear_rate_limits(request: HttpRequest) -> HttpResponse:
        sb.set_rate_limits(None)
        return await get_rate_limits(request)

    async def delivered(request: HttpRequest) -> HttpResponse:
        """Per chat, how many times each text was delivered (``?method=``, default every
        sending method; ``?texts=0`` for the totals and duplicates only)."""
        method = request.query.get("method") or None
        texts = request.query.get("texts", "1") not in ("0", "false", "no")
        bot_id = sb.bot_state(token(request)).bot_id
        return _ok(sb.api.deliveries.summary(bot_id, method, texts=texts))

    async def clear_delivered(request: HttpRequest) -> HttpResponse:
        sb.api.deliveries.clear()
        return _ok(True)

    return [
        route("GET", "/sandbox", guarded(info)),
        route("GET", "/sandbox/users", guarded(list_users)),
        route("POST", "/sandbox/users", guarded(create_user)),
        route("GET", r"/sandbox/users/{user_id:-?\d+}", guarded(get_user)),
        route("POST", r"/sandbox/users/{user_id:-?\d+}/{verb}", guarded(action)),
        route("GET", r"/sandbox/chats/{chat_id:-?\d+}/messages", guarded(messages)),
        route("GET", r"/sandbox/chats/{chat_id:-?\d+}/events", guarded(events)),
        route("GET", "/sandbox/faults", guarded(list_faults)),
        route("POST", "/sandbox/faults", guarded(add_fault)),
        route("DELETE", "/sandbox/faults", guarded(clear_faults)),
        route("DELETE", r"/sandbox/faults/{rule_id:\d+}", guarded(remove_fault)),
        route("GET", "/sandbox/requests", guarded(requests)),
        route("POST", "/sandbox/clock", guarded(clock)),
        route("GET", "/sandbox/rate_limits", guarded(get_rate_limits)),
        route("POST", "/sandbox/rate_limits", guarded(set_rate_limits)),
        route("DELETE", "/sandbox/rate_limits", guarded(clear_rate_limits)),
        route("GET", "/sandbox/delivered", guarded(delivered)),
        route("DELETE", "/sandbox/delivered", guarded(clear_delivered)),
    ]


def _limits_dict(sb: Sandbox) -> dict[str, Any] | None:
    limits = sb.rate_limits
    return limits.to_dict() if limits is not None else None
