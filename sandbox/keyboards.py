"""What Telegram checks in reply markup beyond the types: sizes, callback data, one action."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.limits import Limits

# Fields of an InlineKeyboardButton that are not its action.
INLINE_DECORATION = {"text", "icon_custom_emoji_id", "style"}
REPLY_REQUESTS = (
    "request_users",
    "request_chat",
    "request_managed_bot",
    "request_contact",
    "request_location",
    "request_poll",
    "web_app",
)


def markup_kind(markup: dict[str, Any] | None) -> str | None:
    if not markup:
        return None
    for key, kind in (
        ("inline_keyboard", "inline"),
        ("keyboard", "reply"),
        ("remove_keyboard", "remove"),
        ("force_reply", "force_reply"),
    ):
        if key in markup:
            return kind
    return None


def check_inline_keyboard(markup: dict[str, Any], limits: Limits) -> None:
    rows: list[list[dict[str, Any]]] = markup["inline_keyboard"]
    total = sum(len(row) for row in rows)
    if total > limits.inline_buttons_total or any(
        len(row) > limits.inline_buttons_per_row for row in rows
    ):
        raise bad_request("BUTTONS_TOO_MUCH")
    for row in rows:
        for button in row:
            check_inline_button(button, limits)


def check_inline_button(button: dict[str, Any], limits: Limits) -> None:
    if not button.get("text", "").strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [k for k in button if k not in INLINE_DECORATION]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of "
            + ", ".join(sorted(actions))
            + " must be used"
        )
    if "callback_data" in button:
        size = len(button["callback_data"].encode("utf-8"))
        if not limits.callback_data_min <= size <= limits.callback_data_max:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url: str = button["url"]
        if not url.startswith(("http://", "https://", "tg://")) or len(url) < 8:
            raise bad_request(f"inline keyboard button URL '{url}' is invalid")


def check_reply_keyboard(markup: dict[str, Any], chat_type: str) -> None:
    rows: list[list[Any]] = markup["keyboard"]
    if not any(rows):
        raise bad_request("keyboard must be non-empty")
    for row in rows:
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not button.get("text", "").strip():
                raise bad_request("text buttons must have non-empty text")
            requests = [k for k in REPLY_REQUESTS if button.get(k)]
            if len(requests) > 1:
                raise bad_request(
                    "can't parse keyboard button: only one of "
                    + ", ".join(requests)
                    + " can be used"
                )
            if requests and requests[0] != "request_poll" and chat_type != "private":
                raise bad_request(f"{requests[0]} buttons are allowed only in private chats")


def check_reply_markup(markup: dict[str, Any] | None, limits: Limits, chat_type: str) -> None:
    kind = markup_kind(markup)
    if markup is None or kind is None:
        return
    if kind == "inline":
        check_inline_keyboard(markup, limits)
    elif kind == "reply":
        check_reply_keyboard(markup, chat_type)


def button_label(button: Any) -> str:
    return button if isinstance(button, str) else str(button.get("text", ""))


def inline_labels(markup: dict[str, Any] | None) -> list[list[str]]:
    if markup_kind(markup) != "inline" or markup is None:
        return []
    return [[button_label(b) for b in row] for row in markup["inline_keyboard"]]
