"""getUpdates and the webhook methods."""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import OTHER_GETUPDATES, WEBHOOK_ACTIVE, bad_request, conflict
from sandbox.method_context import Call
from sandbox.state import DEFAULT_UPDATE_TYPES, UPDATE_TYPES, BotState, Webhook

MAX_LONG_POLL_S = 600
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _set_allowed(bot: BotState, allowed: list[str] | None) -> None:
    if allowed is None:
        return  # "If not specified, the previous setting will be used."
    chosen = frozenset(a for a in allowed if a in UPDATE_TYPES)
    bot.allowed_updates = chosen or DEFAULT_UPDATE_TYPES


def _acknowledge(bot: BotState, offset: int | None) -> None:
    if offset is None:
        return
    if offset < 0:
        bot.updates = bot.updates[offset:]
    else:
        bot.updates = [u for u in bot.updates if u["update_id"] >= offset]


async def get_updates(call: Call) -> list[dict[str, Any]]:
    bot, world, p = call.bot, call.world, call.params
    if bot.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    limit = p.get("limit", 100)
    if not 1 <= limit <= call.limits.updates_limit_max:
        limit = call.limits.updates_limit_max
    timeout = min(max(p.get("timeout", 0), 0), MAX_LONG_POLL_S)
    _set_allowed(bot, p.get("allowed_updates"))
    _acknowledge(bot, p.get("offset"))
    bot.poll_generation += 1
    generation = bot.poll_generation
    world.signal.fire()  # an older long poll of this bot is now superseded

    def done() -> bool:
        return (
            bool(bot.updates)
            or bot.poll_generation != generation
            or bot.webhook is not None
            or world.closing
        )

    if timeout > 0:
        await world.signal.wait_until(done, timeout)
    if bot.poll_generation != generation:
        raise conflict(OTHER_GETUPDATES)
    if bot.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    return bot.updates[:limit]


async def set_webhook(call: Call) -> bool:
    bot, p = call.bot, call.params
    url: str = p["url"].strip()
    if not url:
        return await delete_webhook(call)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.get("max_connections", 40)
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    _set_allowed(bot, p.get("allowed_updates"))
    if p.get("drop_pending_updates"):
        bot.updates.clear()
    bot.webhook = Webhook(url, secret, max_connections, p.get("ip_address"))
    call.on_webhook_change(bot)
    call.world.signal.fire()
    return True


async def delete_webhook(call: Call) -> bool:
    bot = call.bot
    if call.params.get("drop_pending_updates"):
        bot.updates.clear()
    bot.webhook = None
    call.on_webhook_change(bot)
    call.world.signal.fire()
    return True


async def get_webhook_info(call: Call) -> dict[str, Any]:
    bot = call.bot
    info: dict[str, Any] = {
        "url": bot.webhook.url if bot.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates),
    }
    hook = bot.webhook
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.ip_address:
            info["ip_address"] = hook.ip_address
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        if bot.allowed_updates != DEFAULT_UPDATE_TYPES:
            info["allowed_updates"] = sorted(bot.allowed_updates)
    return info
