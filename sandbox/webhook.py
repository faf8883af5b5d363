"""Webhook delivery: POST each pending update to the bot's URL, in order, retrying on failure."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from sandbox.state import BotState, Webhook, World

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Delivery:
    """One POST attempt (kept so tests can see retries)."""

    bot_id: int
    update_id: int
    url: str
    status: int | None  # None when the connection failed
    error: str | None


class WebhookDelivery:
    def __init__(self, world: World, retry_delay_s: float = 0.2, max_retry_delay_s: float = 5.0):
        self.world = world
        self.retry_delay_s = retry_delay_s
        self.max_retry_delay_s = max_retry_delay_s
        self.attempts: list[Delivery] = []
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    def changed(self, bot: BotState) -> None:
        """Start delivering for ``bot`` if it has a webhook now (the task ends by itself)."""
        task = self._tasks.get(bot.bot_id)
        if bot.webhook is not None and (task is None or task.done()):
            self._tasks[bot.bot_id] = asyncio.get_running_loop().create_task(
                self._run(bot), name=f"sandbox-webhook-{bot.bot_id}"
            )

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def _run(self, bot: BotState) -> None:
        world = self.world
        delay = self.retry_delay_s
        while True:
            await world.signal.wait_until(
                lambda: bool(bot.updates) or bot.webhook is None or world.closing, None
            )
            hook = bot.webhook
            if hook is None or world.closing:
                return
            update = bot.updates[0]
            headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
            status: int | None = None
            error: str | None = None
            try:
                async with self._client().post(hook.url, json=update, headers=headers) as resp:
                    status = resp.status
                    await resp.read()
                    if not 200 <= status <= 299:
                        error = f"Wrong response from the webhook: {status} {resp.reason}"
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
            self.attempts.append(Delivery(bot.bot_id, update["update_id"], hook.url, status, error))
            if error is None:
                if bot.updates and bot.updates[0] is update:
                    bot.updates.pop(0)
                delay = self.retry_delay_s
                world.signal.fire()
                continue
            hook.last_error_date = int(world.now())
            hook.last_error_message = error
            log.debug("webhook delivery to %s failed: %s", hook.url, error)
            world.signal.fire()
            await world.signal.wait_until(_hook_changed(bot, hook, world), delay)
            delay = min(delay * 2, self.max_retry_delay_s)


def _hook_changed(bot: BotState, hook: Webhook, world: World) -> Callable[[], bool]:
    return lambda: bot.webhook is not hook or world.closing
