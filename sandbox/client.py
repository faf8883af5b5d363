"""A small synchronous client for a running sandbox's control API (stdlib only).

Start the sandbox (and the bot against it) in one terminal::

    python -m sandbox --port 8081          # or: volunteer-bot sandbox --with-bot

then drive a user from a plain Python shell in another::

    >>> from sandbox.client import SandboxClient
    >>> c = SandboxClient("http://127.0.0.1:8081")
    >>> u = c.user(1001, first_name="王芳")
    >>> u.send("/start")
    >>> u.wait_for("Welcome")              # the bot's reply (a dict), or AssertionError
    >>> u.tap("Share my phone number")     # a reply-keyboard button
    >>> u.press("I need help")             # an inline button; returns the bot's answer
    >>> [m["text"] for m in u.messages()]  # the bot's messages in the chat now
    >>> c.add_fault("429", method="sendMessage", retry_after=3, times=1)
    >>> c.requests(method="sendMessage")[-1]
    >>> c.set_rate_limits(overall_per_s=30)    # Telegram's flood limits, 429 past them
    >>> c.delivered()["duplicates"]            # texts delivered more than once, per chat
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class SandboxError(RuntimeError):
    """The control API refused a call (its description is the message)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


class SandboxClient:
    def __init__(self, url: str = "http://127.0.0.1:8081", token: str | None = None,
                 timeout: float = 70.0) -> None:  # fmt: skip
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, http_method: str, path: str, body: dict[str, Any] | None = None,
             **query: Any) -> Any:  # fmt: skip
        """One control API call; returns its ``result`` or raises :class:`SandboxError`."""
        if self.token:
            query.setdefault("token", self.token)
        query = {k: v for k, v in query.items() if v is not None}
        url = f"{self.url}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=http_method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                payload = json.loads(exc.read())
            except ValueError:
                raise SandboxError(exc.code, exc.reason) from None
            raise SandboxError(exc.code, payload.get("description", exc.reason)) from None
        return payload["result"]

    def info(self) -> dict[str, Any]:
        return dict(self.call("GET", "/sandbox"))

    def user(self, user_id: int, first_name: str | None = None, **profile: Any) -> ClientUser:
        """Create (or fetch) user ``user_id``; profile: last_name, username, language_code,
        phone_number."""
        body = {"user_id": user_id, "first_name": first_name, **profile}
        self.call("POST", "/sandbox/users", {k: v for k, v in body.items() if v is not None})
        return ClientUser(self, user_id)

    def users(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/sandbox/users"))

    def messages(self, chat_id: int, include_user: bool = False) -> list[dict[str, Any]]:
        result = self.call(
            "GET", f"/sandbox/chats/{chat_id}/messages", all="1" if include_user else None
        )
        return list(result["messages"])

    def events(self, chat_id: int, since: int = 0, wait: float = 0) -> dict[str, Any]:
        """``{"events": [...], "last_seq": N}``; ``wait`` long-polls for new ones."""
        return dict(self.call("GET", f"/sandbox/chats/{chat_id}/events", since=since, wait=wait))

    def add_fault(self, kind: str, **rule: Any) -> dict[str, Any]:
        """kind: "429" | "403" | "400" | "5xx" | "slow"; rule: method, chat_id, retry_after,
        description, delay_s, times, status."""
        return dict(self.call("POST", "/sandbox/faults", {"kind": kind, **rule}))

    def faults(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/sandbox/faults"))

    def remove_fault(self, rule_id: int) -> bool:
        return bool(self.call("DELETE", f"/sandbox/faults/{rule_id}"))

    def clear_faults(self) -> None:
        self.call("DELETE", "/sandbox/faults")

    def requests(self, since: int = 0, method: str | None = None) -> list[dict[str, Any]]:
        return list(self.call("GET", "/sandbox/requests", since=since, method=method))

    def advance_clock(self, seconds: float) -> None:
        self.call("POST", "/sandbox/clock", {"advance": seconds})

    def freeze_clock(self, frozen: bool = True) -> None:
        """Stop (or, with False, restart) the sandbox's clock; see Sandbox.freeze_clock."""
        self.call("POST", "/sandbox/clock", {"freeze": frozen})

    def rate_limits(self) -> dict[str, Any]:
        """``{"limits": {...} or None, "rate_limited_count": N}``."""
        return dict(self.call("GET", "/sandbox/rate_limits"))

    def set_rate_limits(self, **limits: Any) -> dict[str, Any]:
        """Enforce flood limits: overall_per_s, per_chat_per_s, per_chat_burst,
        per_group_per_min, paid_per_s (None lifts one; Telegram's figures for the rest)."""
        return dict(self.call("POST", "/sandbox/rate_limits", limits))

    def clear_rate_limits(self) -> None:
        self.call("DELETE", "/sandbox/rate_limits")

    def delivered(self, method: str | None = "sendMessage", texts: bool = True) -> dict[str, Any]:
        """How many times each text was delivered, per chat: ``{"total", "distinct",
        "chat_count", "duplicates": {chat: {text: n}}, "chats": {chat: {text: n}}}``
        (``chats`` only with ``texts``)."""
        return dict(
            self.call("GET", "/sandbox/delivered", method=method, texts=None if texts else 0)
        )


class ClientUser:
    """A simulated user, driven over HTTP; each action remembers where the chat stood."""

    def __init__(self, client: SandboxClient, user_id: int) -> None:
        self.client = client
        self.id = user_id
        self.seq = 0  # the chat's event sequence number at this user's last action

    def _act(self, verb: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.client.call("POST", f"/sandbox/users/{self.id}/{verb}", body or {})
        self.seq = int(answer["seq"])
        return answer["result"]

    def send(self, text: str) -> dict[str, Any]:
        return dict(self._act("send", {"text": text}))

    def command(self, command: str, args: str = "") -> dict[str, Any]:
        return dict(self._act("command", {"command": command, "args": args}))

    def share_contact(self, phone_number: str | None = None, first_name: str | None = None,
                      user_id: int | str | None = "self") -> dict[str, Any]:  # fmt: skip
        body: dict[str, Any] = {"user_id": user_id}
        if phone_number:
            body["phone_number"] = phone_number
        if first_name:
            body["first_name"] = first_name
        return dict(self._act("contact", body))

    def share_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        return dict(self._act("location", {"latitude": latitude, "longitude": longitude}))

    def tap(self, label: str, shared_user_ids: list[int] | None = None) -> dict[str, Any]:
        return dict(self._act("tap", {"label": label, "shared_user_ids": shared_user_ids}))

    def press(self, label: str, message_id: int | None = None,
              timeout: float = 10) -> dict[str, Any]:  # fmt: skip
        """Press an inline button; returns the bot's answer (text, show_alert, url, …)."""
        body = {"label": label, "message_id": message_id, "timeout": timeout}
        return dict(self._act("press", body))

    def press_data(self, message_id: int, data: str, timeout: float = 10) -> dict[str, Any]:
        body = {"message_id": message_id, "data": data, "timeout": timeout}
        return dict(self._act("press", body))

    def block(self) -> None:
        self._act("block")

    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat now (edits applied, deleted ones gone)."""
        return self.client.messages(self.id)

    def last(self) -> dict[str, Any] | None:
        messages = self.messages()
        return messages[-1] if messages else None

    def reply_keyboard(self) -> list[list[str]] | None:
        keyboard = self.client.call("GET", f"/sandbox/users/{self.id}")["reply_keyboard"]
        return keyboard

    def wait_for(self, text_contains: str | None = None, timeout: float = 10) -> dict[str, Any]:
        """The first bot message or edit since the last action (containing ``text_contains``)."""
        deadline = time.monotonic() + timeout
        seen: list[dict[str, Any]] = []
        while True:
            remaining = deadline - time.monotonic()
            batch = self.client.events(self.id, since=self.seq, wait=max(remaining, 0))
            for event in batch["events"]:
                self.seq = max(self.seq, int(event["seq"]))
                seen.append(event)
                message = event.get("message")
                if event["kind"] in ("sent", "edited") and message:
                    content = message.get("text") or message.get("caption") or ""
                    if text_contains is None or text_contains in content:
                        return dict(message)
            if remaining <= 0:
                kinds = [(e["kind"], (e.get("message") or {}).get("text")) for e in seen]
                raise AssertionError(f"no matching bot message within {timeout}s; got {kinds}")

    def next_reply(self, timeout: float = 10) -> dict[str, Any]:
        return self.wait_for(None, timeout)
