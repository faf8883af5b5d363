"""Bot API methods that send, edit, delete, copy and forward messages."""

from __future__ import annotations

from typing import Any

from sandbox.errors import NOT_MODIFIED, ApiError, bad_request
from sandbox.formatting import check_text_length, parse_formatted
from sandbox.keyboards import check_inline_keyboard, check_reply_markup, markup_kind
from sandbox.method_context import Call, apply_markup, message_in, reply_to
from sandbox.state import ChatState, StoredFile, StoredMessage
from sandbox.validation import UploadedFile
from sandbox.views import json_copy

PHOTO_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = 50 * 1024 * 1024
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}  # fmt: skip
MEDIA_KEYS = ("photo", "document", "location", "contact", "video", "audio", "voice", "sticker")


def _send(call: Call, chat: ChatState, content: dict[str, Any], html: str | None) -> dict[str, Any]:
    markup = call.params.get("reply_markup")
    check_reply_markup(markup, call.limits, chat.type)
    content = {**reply_to(call, chat), **content}
    sender = None if chat.type == "channel" else call.bot_user()
    stored = call.world.add_message(chat, sender, content, from_bot=True, html=html, markup=markup)
    apply_markup(chat, stored, markup)
    call.world.record(chat, "sent", stored)
    return json_copy(stored.message)


def _caption(call: Call) -> dict[str, Any]:
    if "caption" not in call.params:
        return {}
    text, entities = parse_formatted(
        call.params["caption"], call.params.get("parse_mode"), call.params.get("caption_entities")
    )
    check_text_length(text, 0, call.limits.caption_max, caption=True)
    out: dict[str, Any] = {"caption": text} if text else {}
    if entities:
        out["caption_entities"] = entities
    return out


async def send_message(call: Call) -> dict[str, Any]:
    chat = call.target_chat()
    p = call.params
    text, entities = parse_formatted(p["text"], p.get("parse_mode"), p.get("entities"))
    check_text_length(text, call.limits.text_min, call.limits.text_max)
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    if p.get("link_preview_options"):
        content["link_preview_options"] = p["link_preview_options"]
    return _send(call, chat, content, p["text"])


def _input_file(call: Call, name: str, kind: str, limit: int) -> StoredFile:
    value = call.params[name]
    world = call.world
    if isinstance(value, UploadedFile):
        if not value.data:
            raise bad_request("file must be non-empty")
        if len(value.data) > limit:
            raise ApiError(413, "Request Entity Too Large")
        return world.store_file(value.data, value.filename, value.content_type, kind)
    if value in world.files:
        return world.files[value]
    if value.startswith(("http://", "https://")):
        file_name = value.rstrip("/").rsplit("/", 1)[-1] or None
        return world.store_file(None, file_name, None, kind, url=value)
    raise bad_request("wrong file identifier/HTTP URL specified")


async def send_photo(call: Call) -> dict[str, Any]:
    chat = call.target_chat()
    stored = _input_file(call, "photo", "photo", PHOTO_MAX_BYTES)
    size: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": 1280,
        "height": 720,
    }
    if stored.size is not None:
        size["file_size"] = stored.size
    content = {"photo": [size], **_caption(call)}
    return _send(call, chat, content, call.params.get("caption"))


async def send_document(call: Call) -> dict[str, Any]:
    chat = call.target_chat()
    stored = _input_file(call, "document", "document", UPLOAD_MAX_BYTES)
    document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    if stored.size is not None:
        document["file_size"] = stored.size
    content = {"document": document, **_caption(call)}
    return _send(call, chat, content, call.params.get("caption"))


async def send_location(call: Call) -> dict[str, Any]:
    chat = call.target_chat()
    p = call.params
    if not -90 <= p["latitude"] <= 90:
        raise bad_request("wrong latitude")
    if not -180 <= p["longitude"] <= 180:
        raise bad_request("wrong longitude")
    location = {"latitude": p["latitude"], "longitude": p["longitude"]}
    for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
        if key in p:
            location[key] = p[key]
    return _send(call, chat, {"location": location}, None)


async def send_contact(call: Call) -> dict[str, Any]:
    chat = call.target_chat()
    contact = {
        k: call.params[k]
        for k in ("phone_number", "first_name", "last_name", "vcard")
        if k in call.params
    }
    return _send(call, chat, {"contact": contact}, None)


async def send_chat_action(call: Call) -> bool:
    chat = call.target_chat()
    if call.params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    call.world.record(chat, "chat_action", data={"action": call.params["action"]})
    return True


def _editable(call: Call) -> tuple[ChatState, StoredMessage]:
    p = call.params
    if p.get("inline_message_id") is not None:
        raise bad_request("inline messages are not supported by the sandbox")
    if p.get("chat_id") is None or p.get("message_id") is None:
        raise bad_request("message identifier is not specified")
    chat = call.chat()
    stored = message_in(chat, p["message_id"], "message to edit not found")
    if not stored.from_bot:
        raise bad_request("message can't be edited")
    return chat, stored


def _new_inline_markup(call: Call) -> dict[str, Any] | None:
    markup = call.params.get("reply_markup")
    if markup is not None:
        check_inline_keyboard(markup, call.limits)
    return markup or None


def _finish_edit(
    call: Call,
    chat: ChatState,
    stored: StoredMessage,
    changes: dict[str, Any],
    markup: dict[str, Any] | None,
    html: str | None,
) -> dict[str, Any]:
    """Apply ``changes`` (None values remove keys) and the new inline markup, or 400."""
    message = stored.message
    same = all(message.get(k) == v for k, v in changes.items())
    if same and message.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    if markup is None:
        message.pop("reply_markup", None)
        if markup_kind(stored.markup) == "inline":
            stored.markup = None
    else:
        message["reply_markup"] = markup
        stored.markup = markup
    message["edit_date"] = int(call.world.now())
    if html is not None:
        stored.html = html
    stored.edited = True
    call.world.record(chat, "edited", stored)
    return json_copy(message)


async def edit_message_text(call: Call) -> dict[str, Any]:
    chat, stored = _editable(call)
    p = call.params
    if "text" not in p:
        raise bad_request("message text is empty")
    if "text" not in stored.message:
        raise bad_request("there is no text in the message to edit")
    text, entities = parse_formatted(p["text"], p.get("parse_mode"), p.get("entities"))
    check_text_length(text, call.limits.text_min, call.limits.text_max)
    markup = _new_inline_markup(call)
    changes = {"text": text, "entities": entities or None}
    return _finish_edit(call, chat, stored, changes, markup, p["text"])


async def edit_message_caption(call: Call) -> dict[str, Any]:
    chat, stored = _editable(call)
    if not any(k in stored.message for k in ("photo", "document", "video", "audio")):
        raise bad_request("there is no caption in the message to edit")
    caption = _caption(call)
    changes = {
        "caption": caption.get("caption"),
        "caption_entities": caption.get("caption_entities"),
    }
    markup = _new_inline_markup(call)
    return _finish_edit(call, chat, stored, changes, markup, call.params.get("caption"))


async def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    chat, stored = _editable(call)
    markup = _new_inline_markup(call)
    return _finish_edit(call, chat, stored, {}, markup, None)


async def delete_message(call: Call) -> bool:
    chat = call.chat()
    message_in(chat, call.params["message_id"], "message to delete not found")
    _delete(call, chat, call.params["message_id"])
    return True


async def delete_messages(call: Call) -> bool:
    chat = call.chat()
    ids = call.params["message_ids"]
    if not 1 <= len(ids) <= 100:
        raise bad_request("too many messages to delete" if ids else "message_ids is empty")
    for message_id in ids:
        if message_id in chat.messages:
            _delete(call, chat, message_id)
    return True


def _delete(call: Call, chat: ChatState, message_id: int) -> None:
    stored = chat.messages.pop(message_id)
    call.world.record(chat, "deleted", message_id=message_id, data={"from_bot": stored.from_bot})


def _copied_content(call: Call) -> tuple[dict[str, Any], str | None]:
    source = call.chat("from_chat_id")
    stored = message_in(source, call.params["message_id"], "message to copy not found")
    message = stored.message
    content = {
        k: json_copy(message[k])
        for k in ("text", "entities", "caption", "caption_entities", *MEDIA_KEYS)
        if k in message
    }
    return content, stored.html


async def copy_message(call: Call) -> dict[str, Any]:
    chat = call.target_chat()
    content, html = _copied_content(call)
    if "caption" in call.params:
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(_caption(call))
        html = call.params["caption"]
    sent = _send(call, chat, content, html)
    return {"message_id": sent["message_id"]}


async def forward_message(call: Call) -> dict[str, Any]:
    chat = call.target_chat()
    source = call.chat("from_chat_id")
    original = message_in(source, call.params["message_id"], "message to forward not found")
    content, html = _copied_content(call)
    sender = original.message.get("from")
    if sender is not None:
        origin = {"type": "user", "sender_user": sender, "date": original.message["date"]}
    else:
        origin = {
            "type": "channel" if source.type == "channel" else "chat",
            "chat": source.chat,
            "date": original.message["date"],
        }
        if source.type == "channel":
            origin["message_id"] = original.message["message_id"]
        else:
            origin["sender_chat"] = origin.pop("chat")
    content["forward_origin"] = origin
    return _send(call, chat, content, html)
