"""Parameter validation against the spec: names, required ones, types (recursively)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sandbox.errors import ApiError, bad_request
from sandbox.spec import ApiSpec, Field
from telegram_html import utf16_len

_INT_RE = re.compile(r"^-?\d+$")
_RANGE_RE = re.compile(r"(\d+)-(\d+) (characters|bytes)")
PRIMITIVES = {"Integer", "String", "Boolean", "Float", "InputFile"}
# Limits that have their own Telegram wording are checked by the methods, not generically.
_OWN_LIMIT_CHECKS = {
    ("InlineKeyboardButton", "callback_data"),
    ("answerCallbackQuery", "text"),
    ("BotCommand", "command"),
    ("BotCommand", "description"),
}


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data request."""

    filename: str
    content_type: str
    data: bytes

    def describe(self) -> dict[str, Any]:
        return {"input_file": self.filename, "size": len(self.data)}


class _Mismatch(Exception):
    """The value is not of this type; another type of the union may fit."""


class _ShapeError(ApiError):
    """An object whose own keys do not fit the type (less telling than an error inside it)."""


def _shape_error(reason: str) -> _ShapeError:
    return _ShapeError(400, f"Bad Request: {reason}")


class Validator:
    """Checks parameters against the spec. The per-method and per-type field tables and the
    length limits read from descriptions are computed once (they were, per request, a good
    part of the sandbox's cost per message)."""

    def __init__(self, spec: ApiSpec) -> None:
        self.spec = spec
        self._method_fields: dict[str, dict[str, Field]] = {}
        self._type_fields: dict[str, dict[str, Field]] = {}
        self._lengths: dict[tuple[str, Field], tuple[int, int, bool] | None] = {}

    def fields_of_method(self, method: str) -> dict[str, Field]:
        fields = self._method_fields.get(method)
        if fields is None:
            fields = self._method_fields[method] = {f.name: f for f in self.spec.methods[method]}
        return fields

    def fields_of_type(self, type_name: str) -> dict[str, Field]:
        fields = self._type_fields.get(type_name)
        if fields is None:
            fields = {f.name: f for f in self.spec.types[type_name]}
            self._type_fields[type_name] = fields
        return fields

    def length_limit(self, f: Field, owner: str) -> tuple[int, int, bool] | None:
        """(low, high, in bytes?) from the field's description, or None for no generic check."""
        key = (owner, f)
        if key in self._lengths:
            return self._lengths[key]
        limit: tuple[int, int, bool] | None = None
        if (owner, f.name) not in _OWN_LIMIT_CHECKS:
            m = _RANGE_RE.search(f.description)
            if m is not None and "after entit" not in f.description:
                limit = (int(m.group(1)), int(m.group(2)), m.group(3) == "bytes")
        self._lengths[key] = limit
        return limit

    def method_params(self, method: str, raw: dict[str, Any]) -> dict[str, Any]:
        """Typed parameters of ``method``; 400 for unknown, missing or mistyped ones."""
        fields = self.fields_of_method(method)
        for name in raw:
            if name not in fields:
                raise bad_request(f'unknown parameter "{name}" in method {method}')
        out: dict[str, Any] = {}
        for name, f in fields.items():
            if name not in raw or raw[name] is None:
                if f.required:
                    raise bad_request(f'parameter "{name}" is required for method {method}')
                continue
            out[name] = self.value(raw[name], f, name, owner=method)
        return out

    def value(self, value: Any, f: Field, path: str, owner: str) -> Any:
        shape_error: ApiError | None = None
        for type_name in f.types:
            try:
                converted = self.convert(value, type_name, path)
            except _Mismatch:
                continue
            except _ShapeError as exc:  # an object, but not this one
                shape_error = shape_error or exc
                continue
            self.check_length(converted, f, path, owner)
            return converted
        if shape_error is not None:
            raise shape_error
        expected = " or ".join(f.types)
        raise bad_request(f'parameter "{path}" must be of type {expected}')

    def check_length(self, value: Any, f: Field, path: str, owner: str) -> None:
        if not isinstance(value, str):
            return
        limit = self.length_limit(f, owner)
        if limit is None:
            return
        low, high, in_bytes = limit
        size = len(value.encode("utf-8")) if in_bytes else utf16_len(value)
        if not low <= size <= high:
            unit = "bytes" if in_bytes else "characters"
            raise bad_request(f'parameter "{path}" must be {low}-{high} {unit} long')

    def convert(self, value: Any, type_name: str, path: str) -> Any:
        if type_name.startswith("Array of "):
            if isinstance(value, str):
                value = _decode_json(value, path)
            if not isinstance(value, list):
                raise _Mismatch
            inner = Field(path, (type_name[len("Array of ") :],), True)
            return [self.value(v, inner, f"{path}[{i}]", "") for i, v in enumerate(value)]
        if type_name in PRIMITIVES:
            return _primitive(value, type_name)
        return self.object(value, type_name, path)

    def object(self, value: Any, type_name: str, path: str) -> Any:
        if isinstance(value, str) and type_name in self.spec.string_ok:
            return value
        if isinstance(value, str):
            value = _decode_json(value, path)
        if not isinstance(value, dict):
            raise _Mismatch
        if type_name in self.spec.subtypes:
            return self.object(value, self.pick_subtype(value, type_name, path), path)
        if type_name not in self.spec.types:  # fallback spec: a type it does not describe
            return value
        fields = self.fields_of_type(type_name)
        discriminator = self.spec.discriminators.get(type_name)
        where = f'can\'t parse {type_name} in "{path}"'
        for key in value:
            if key not in fields:
                raise _shape_error(f'{where}: unknown field "{key}"')
        missing = [n for n, f in fields.items() if f.required and value.get(n) is None]
        if missing:
            raise _shape_error(f'{where}: field "{missing[0]}" is required')
        if discriminator and value.get(discriminator[0]) != discriminator[1]:
            raise _shape_error(f'{where}: field "{discriminator[0]}" must be "{discriminator[1]}"')
        out: dict[str, Any] = {}
        for name, f in fields.items():
            if value.get(name) is None:
                continue
            try:
                out[name] = self.value(value[name], f, f"{path}.{name}", type_name)
            except _ShapeError as exc:  # deeper down it is a real error of this object
                raise ApiError(exc.error_code, exc.description) from None
        return out

    def pick_subtype(self, value: dict[str, Any], parent: str, path: str) -> str:
        for sub in self.spec.subtypes[parent]:
            key, expected = self.spec.discriminators.get(sub, ("", ""))
            if key and value.get(key) == expected:
                return sub
        raise _shape_error(f'can\'t parse {parent} in "{path}": unsupported type')


def _decode_json(text: str, path: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise _Mismatch from None


def _primitive(value: Any, type_name: str) -> Any:
    if type_name == "InputFile":
        if isinstance(value, UploadedFile):
            return value
        raise _Mismatch
    if isinstance(value, UploadedFile):
        raise _Mismatch
    if type_name == "Integer":
        if isinstance(value, bool):
            raise _Mismatch
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value.strip())
        raise _Mismatch
    if type_name == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
            return value.strip().lower() in ("true", "1")
        raise _Mismatch
    if type_name == "Float":
        if isinstance(value, bool):
            raise _Mismatch
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise _Mismatch from None
        raise _Mismatch
    # String: Telegram takes numbers for strings too
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _Mismatch
