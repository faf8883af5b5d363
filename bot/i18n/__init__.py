"""Message catalogues: gettext ``.po`` files, one per language, looked up by key.

``bot/i18n/locales/<lang>/LC_MESSAGES/messages.po`` holds every user-facing string. The
msgid is a stable key (``start.welcome``), the msgstr the text with ``{name}``
placeholders (python-brace-format). The files are read with Babel at start-up, so
translators can use any gettext tool (Poedit, Weblate, ``pybabel``) and nothing needs
compiling.

A message that depends on a count ("1 service", "2 services") is a plural entry
(``msgid_plural`` and ``msgstr[0]``, ``msgstr[1]`` …, as many forms as the file's
``Plural-Forms`` header says: Chinese one, English two), looked up with
:meth:`Translator.ngettext`, which picks the form by the language's plural rule.

Values substituted into a message are HTML-escaped unless wrapped in :class:`Markup`
(the caller vouches that it is already safe HTML), because every message is sent with
``parse_mode=HTML``.
"""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from bot.services.kernel.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.services.kernel.languages import (  # re-exported: handlers read it here
    language_from_telegram as language_from_telegram,
)

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
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


class PluralMessage(TypeError):
    """A plural message looked up without its count: use :meth:`Translator.ngettext`."""


PluralRule = Callable[[int], int]


@dataclass(frozen=True)
class Catalogue:
    """One language's messages: plain ones by key, plural ones as their forms, and the
    rule that picks a form for a count."""

    messages: Mapping[str, str]
    plurals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    plural_rule: PluralRule = field(default=lambda n: 0)


class Translator:
    """The messages of one language."""

    def __init__(
        self,
        language: str,
        messages: Mapping[str, str] | Catalogue,
        fallback: Translator | None = None,
    ) -> None:
        catalogue = messages if isinstance(messages, Catalogue) else Catalogue(messages)
        self.language = language
        self._messages = catalogue.messages
        self._plurals = catalogue.plurals
        self._plural_rule = catalogue.plural_rule
        self._fallback = fallback

    def __contains__(self, key: str) -> bool:
        return key in self._messages or key in self._plurals

    def keys(self) -> set[str]:
        return set(self._messages) | set(self._plurals)

    def is_plural(self, key: str) -> bool:
        if key in self._plurals:
            return True
        if key in self._messages:
            return False
        return self._fallback is not None and self._fallback.is_plural(key)

    def raw(self, key: str) -> str:
        text = self._messages.get(key)
        if text:
            return text
        if key in self._plurals:
            raise PluralMessage(f"{key} depends on a count: use ngettext")
        if self._fallback is not None:
            return self._fallback.raw(key)
        raise MissingMessage(key)

    def forms(self, key: str) -> tuple[str, ...]:
        """A plural message's forms, in the catalogue's order."""
        forms = self._plurals.get(key)
        if forms:
            return forms
        if key in self._messages:
            raise PluralMessage(f"{key} does not depend on a count: call the translator")
        if self._fallback is not None:
            return self._fallback.forms(key)
        raise MissingMessage(key)

    def raw_plural(self, key: str, n: int) -> str:
        """The form of ``key`` for the count ``n``, by this language's plural rule (a
        message missing here comes from the fallback language, with its own rule)."""
        forms = self._plurals.get(key)
        if not forms:
            if key not in self._messages and self._fallback is not None:
                return self._fallback.raw_plural(key, n)
            return self.forms(key)[0]  # raises: not a plural message, or missing
        return forms[min(max(self._plural_rule(n), 0), len(forms) - 1)]

    def ngettext(self, key: str, n: int, /, **values: Any) -> Markup:
        """The plural message ``key`` in the form for ``n``, ``values`` escaped and filled
        in (the count is a value like any other: pass it under its placeholder's name)."""
        return _fill(self.raw_plural(key, n), values)

    def __call__(self, key: str, /, **values: Any) -> Markup:
        """The message ``key`` with ``values`` escaped and filled in: safe HTML, which
        may itself be a value of another message without being escaped twice."""
        return _fill(self.raw(key), values)

    def plain(self, key: str, /, **values: Any) -> str:
        """For places that are not HTML (button labels, callback answers, alerts): the
        message's own markup read as the user would see it (tags dropped, entities
        such as ``&amp;`` turned into their characters), the values filled in literally
        — a name ``<b>Mal</b> & co`` stays exactly that."""
        return _fill_plain(self.raw(key), values)

    def plain_ngettext(self, key: str, n: int, /, **values: Any) -> str:
        """:meth:`ngettext` for places that are not HTML, as :meth:`plain` reads it."""
        return _fill_plain(self.raw_plural(key, n), values)


def _fill(text: str, values: Mapping[str, Any]) -> Markup:
    if not values:
        return Markup(text)
    return Markup(text.format_map({name: escape(value) for name, value in values.items()}))


def _fill_plain(template: str, values: Mapping[str, Any]) -> str:
    text = _without_markup(template)
    return text.format_map({k: str(v) for k, v in values.items()}) if values else text


@cache
def _without_markup(template: str) -> str:
    return html.unescape(_TAG.sub("", template))


def _read_catalogue(language: str) -> Catalogue:
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        po = read_po(fh, locale=language)
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in po:
        if not message.id or not message.string or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            forms = tuple(str(form) for form in message.string)
            if all(forms):  # an untranslated form: the whole entry falls back
                plurals[str(message.id[0])] = forms
        else:
            messages[str(message.id)] = str(message.string)
    return Catalogue(messages, plurals, gettext.c2py(po.plural_expr))


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
