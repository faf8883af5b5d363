"""Bot API error answers, worded as Telegram words them."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error the sandbox answers with ``{"ok": false, ...}``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """400 "Bad Request: <reason>"."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str = "bot was blocked by the user") -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def conflict(reason: str) -> ApiError:
    return ApiError(409, f"Conflict: {reason}")


NOT_FOUND = ApiError(404, "Not Found")
UNAUTHORIZED = ApiError(401, "Unauthorized")
CHAT_NOT_FOUND = "chat not found"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
OTHER_GETUPDATES = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


class SandboxTimeout(AssertionError):
    """A simulated user waited for the bot and nothing (matching) came."""


class NoSuchButton(AssertionError, LookupError):
    """A simulated user tried a button the chat does not show."""
