"""Bot API request bodies → one flat dict of parameters (query string, JSON, form, multipart)."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import parse_qsl

from multipart import MultipartError, MultipartParser, parse_options_header

from sandbox.errors import bad_request
from sandbox.http import HttpRequest
from sandbox.validation import UploadedFile

ATTACH = "attach://"


def decode_params(request: HttpRequest) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    ctype = request.content_type
    if ctype == "application/x-www-form-urlencoded":
        text = request.body.decode("utf-8", "replace")
        params.update(parse_qsl(text, keep_blank_values=True))
        return _resolve_attachments(params)
    if ctype == "multipart/form-data":
        params.update(_multipart(request))
        return _resolve_attachments(params)
    raw = request.body
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


def _multipart(request: HttpRequest) -> dict[str, Any]:
    """The parts of a multipart/form-data body: text fields as str, files as UploadedFile."""
    _, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary")
    if not boundary:
        raise bad_request("multipart body without a boundary")
    fields: dict[str, Any] = {}
    body = request.body
    parser = MultipartParser(
        io.BytesIO(body),
        boundary,
        content_length=len(body),
        part_limit=1000,
        memory_limit=len(body) + 1,
        spool_limit=len(body) + 1,  # the whole body is in memory already
    )
    try:
        for part in parser:
            if part.filename is not None:
                mime = part.content_type or "application/octet-stream"
                fields[part.name] = UploadedFile(part.filename or part.name, mime, part.raw)
            else:
                fields[part.name] = part.value
    except MultipartError as exc:
        raise bad_request(f"can't parse multipart body: {exc}") from None
    return fields


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
