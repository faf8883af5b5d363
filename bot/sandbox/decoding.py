"""Bot API request bodies → one flat dict of parameters (query string, JSON, form, multipart)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request
from bot.sandbox.validation import UploadedFile

ATTACH = "attach://"


async def decode_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    ctype = request.content_type
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(
                    value.filename or key, value.content_type, value.file.read()
                )
            else:
                params[key] = value
        return _resolve_attachments(params)
    raw = await request.read()
    if not raw.strip():
        return params
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad_request("can't parse request JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("request JSON must be an object")
    params.update(body)
    return params


def _resolve_attachments(params: dict[str, Any]) -> dict[str, Any]:
    """Put ``attach://name`` file parts in place of their references; the parts themselves,
    once referenced (also from inside a JSON value), are not parameters of their own."""
    files = {k: v for k, v in params.items() if isinstance(v, UploadedFile)}
    if not files:
        return params
    out: dict[str, Any] = {}
    referenced: set[str] = set()
    for key, value in params.items():
        if not isinstance(value, str) or ATTACH not in value:
            continue
        for name in files:
            if f"{ATTACH}{name}" in value:
                referenced.add(name)
        if value.startswith(ATTACH) and value[len(ATTACH) :] in files:
            out[key] = files[value[len(ATTACH) :]]
    for key, value in params.items():
        if key not in out and key not in referenced:
            out[key] = value
    return out
