"""Message catalogues: gettext ``.po`` files, one per language, looked up by key.

``bot/i18n/locales/<lang>/LC_MESSAGES/messages.po`` holds every user-facing string. The
msgid is a stable key (``start.welcome``), the msgstr the text with ``{name}``
placeholders (python-brace-format). The files are read with Babel at start-up, so
translators can use any gettext tool (Poedit, Weblate, ``pybabel``) and nothing needs
compiling.

Values substituted into a message are HTML-escaped unless wrapped in :class:`Markup`
(the caller vouches that it is already safe HTML), because every message is sent with
``parse_mode=HTML``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
_TAG = re.compile(r"<[^>]*>")


class Markup(str):
    """A string that is already safe HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: Any) -> str:
    if isinstance(value, Markup):
        return value
    return html.escape(str(value), quote=False)


class MissingMessage(KeyError):
    pass


class Translator:
    """The messages of one language."""

    def __init__(
        self, language: str, messages: Mapping[str, str], fallback: Translator | None = None
    ) -> None:
        self.language = language
        self._messages = messages
        self._fallback = fallback

    def __contains__(self, key: str) -> bool:
        return key in self._messages

    def keys(self) -> set[str]:
        return set(self._messages)

    def raw(self, key: str) -> str:
        text = self._messages.get(key)
        if text:
            return text
        if self._fallback is not None:
            return self._fallback.raw(key)
        raise MissingMessage(key)

    def __call__(self, key: str, /, **values: Any) -> Markup:
        """The message ``key`` with ``values`` escaped and filled in: safe HTML, which
        may itself be a value of another message without being escaped twice."""
        text = self.raw(key)
        if not values:
            return Markup(text)
        return Markup(text.format_map({name: escape(value) for name, value in values.items()}))

    def plain(self, key: str, /, **values: Any) -> str:
        """For places that are not HTML (button labels, callback answers, alerts): the
        message's own markup read as the user would see it (tags dropped, entities
        such as ``&amp;`` turned into their characters), the values filled in literally
        — a name ``<b>Mal</b> & co`` stays exactly that."""
        text = _without_markup(self.raw(key))
        return text.format_map({k: str(v) for k, v in values.items()}) if values else text


@cache
def _without_markup(template: str) -> str:
    return html.unescape(_TAG.sub("", template))


def _read_catalogue(language: str) -> dict[str, str]:
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalogue = read_po(fh, locale=language)
    return {
        str(message.id): str(message.string)
        for message in catalogue
        if message.id and message.string and not message.fuzzy
    }


@cache
def translators() -> dict[str, Translator]:
    default = Translator(DEFAULT_LANGUAGE, _read_catalogue(DEFAULT_LANGUAGE))
    result = {DEFAULT_LANGUAGE: default}
    for language in LANGUAGES:
        if language != DEFAULT_LANGUAGE:
            result[language] = Translator(language, _read_catalogue(language), default)
    return result


def get_translator(language: str | None) -> Translator:
    return translators().get(language or DEFAULT_LANGUAGE) or translators()[DEFAULT_LANGUAGE]


def language_from_telegram(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Telegram's ``language_code`` (IETF tag: ``zh-hans``, ``en-US``) to ours."""
    if not code:
        return default
    primary = code.replace("_", "-").split("-")[0].lower()
    if primary == "zh":
        return "zh_CN"
    if primary == "en":
        return "en"
    return default
