"""Telegram-HTML ("parse_mode": "HTML") parsing: plain text + entities, or Telegram's refusal —
the one parser the sandbox validates the bot's messages with and the bot checks what a
coordinator writes with (bot/services/broadcasts/).

Modelled on tdlib's ``parse_html`` (the parser behind the Bot API), with one deliberate
strictness: a raw ``&`` that starts no entity and a raw ``>`` outside a tag are refused, as
the Bot API documentation demands ("All <, > and & symbols that are not a part of a tag or
an HTML entity must be replaced"), so the bot never relies on Telegram's leniency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ENTITY_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_SPACE = " \t\r\n\f\v"


class HtmlError(ValueError):
    """The reason Telegram gives after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _Open:
    tag: str
    offset: int  # UTF-16 offset in the plain text
    attrs: dict[str, str] = field(default_factory=dict)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0  # UTF-16 length of self.out
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8", "surrogatepass"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "&":
                self.emit(self.entity_at(self.pos))
            elif ch == "<":
                if src.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            elif ch == ">":
                raise HtmlError(
                    f'Unexpected character ">" at byte offset {self.byte_offset(self.pos)}; '
                    'it must be escaped as "&gt;"'
                )
            else:
                nxt = min(
                    (
                        i
                        for i in (
                            src.find("&", self.pos),
                            src.find("<", self.pos),
                            src.find(">", self.pos),
                        )
                        if i != -1
                    ),
                    default=len(src),
                )
                self.emit(src[self.pos : nxt])
                self.pos = nxt
        if self.stack:
            raise HtmlError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def entity_at(self, index: int) -> str:
        """Decode the character entity at ``index`` and move past it."""
        m = _ENTITY_RE.match(self.src, index)
        if m is None:
            raise HtmlError(f"Character entity expected at byte offset {self.byte_offset(index)}")
        self.pos = m.end()
        if m.group(1):
            return NAMED_ENTITIES[m.group(1)]
        code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise HtmlError(f"Character entity expected at byte offset {self.byte_offset(index)}")
        return chr(code)

    def skip_space(self) -> None:
        while self.pos < len(self.src) and self.src[self.pos] in _SPACE:
            self.pos += 1

    def unclosed(self, begin: int) -> HtmlError:
        return HtmlError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")

    def start_tag(self) -> None:
        src, begin = self.src, self.pos
        self.pos += 1
        while self.pos < len(src) and src[self.pos] not in _SPACE and src[self.pos] != ">":
            self.pos += 1
        if self.pos >= len(src):
            raise self.unclosed(begin)
        tag = src[begin + 1 : self.pos].lower()
        if tag not in ENTITY_TAGS:
            raise HtmlError(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        attrs = self.attributes(tag, begin)
        self.pos += 1  # the ">"
        where = f"at byte offset {self.byte_offset(begin)}"
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" {where}')
        if tag == "tg-emoji" and not attrs.get("emoji-id"):
            raise HtmlError(f'Tag "tg-emoji" must have attribute "emoji-id" {where}')
        if tag == "tg-time" and not attrs.get("unix", "").isdigit():
            raise HtmlError(f'Tag "tg-time" must have attribute "unix" {where}')
        self.stack.append(_Open(tag, self.offset, attrs))

    def attributes(self, tag: str, begin: int) -> dict[str, str]:
        src = self.src
        attrs: dict[str, str] = {}
        while True:
            self.skip_space()
            if self.pos >= len(src):
                raise self.unclosed(begin)
            if src[self.pos] == ">":
                return attrs
            name_start = self.pos
            while self.pos < len(src) and src[self.pos] not in _SPACE + "=>":
                self.pos += 1
            name = src[name_start : self.pos].lower()
            self.skip_space()
            if self.pos >= len(src):
                raise self.unclosed(begin)
            if src[self.pos] != "=":
                if tag == "blockquote" and name == "expandable":
                    attrs[name] = ""
                    continue
                raise HtmlError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            self.pos += 1
            self.skip_space()
            if self.pos >= len(src):
                raise self.unclosed(begin)
            attrs[name] = self.attribute_value(begin)

    def attribute_value(self, begin: int) -> str:
        src = self.src
        quote = src[self.pos]
        if quote not in "'\"":
            start = self.pos
            while self.pos < len(src) and (src[self.pos].isalnum() or src[self.pos] in ".-"):
                self.pos += 1
            if self.pos >= len(src) or src[self.pos] not in _SPACE + ">":
                raise HtmlError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(self.pos)}"
                )
            return src[start : self.pos].lower()
        self.pos += 1
        value: list[str] = []
        while self.pos < len(src) and src[self.pos] != quote:
            if src[self.pos] == "&":
                value.append(self.entity_at(self.pos))
            else:
                value.append(src[self.pos])
                self.pos += 1
        if self.pos >= len(src):
            raise self.unclosed(begin)
        self.pos += 1
        return "".join(value)

    def end_tag(self) -> None:
        src, begin = self.src, self.pos
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        self.pos += 2
        while self.pos < len(src) and src[self.pos] not in _SPACE and src[self.pos] != ">":
            self.pos += 1
        name = src[begin + 2 : self.pos].lower()
        self.skip_space()
        if self.pos >= len(src) or src[self.pos] != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        self.pos += 1
        top = self.stack[-1]
        if name and name != top.tag:
            raise HtmlError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, expected "
                f'"</{top.tag}>", found "</{name}>"'
            )
        self.stack.pop()
        self.close(top)

    def close(self, tag: _Open) -> None:
        length = self.offset - tag.offset
        parent = self.stack[-1] if self.stack else None
        if tag.tag == "code" and parent is not None and parent.tag == "pre":
            language = tag.attrs.get("class", "")
            if language.startswith("language-") and parent.offset == tag.offset:
                parent.attrs["language"] = language[len("language-") :]
            return  # code inside pre is the pre block itself
        if length <= 0:
            return
        kind = ENTITY_TAGS[tag.tag]
        entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
        if kind == "text_link":
            url = tag.attrs.get("href", "")
            if not url:
                return
            entity["url"] = url
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        elif kind == "date_time":
            entity["unix_time"] = int(tag.attrs["unix"])
            if tag.attrs.get("format"):
                entity["date_time_format"] = tag.attrs["format"]
        elif kind == "pre" and tag.attrs.get("language"):
            entity["language"] = tag.attrs["language"]
        elif kind == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) as Telegram would, or raise :class:`HtmlError`."""
    return _Parser(source).run()
