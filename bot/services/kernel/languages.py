"""The languages the bot speaks, as locale codes — no words: the list, the default,
Telegram's ``language_code`` mapped to ours, and the one place a name stored per
language (a unit's, a team's, a category's) is picked for a reader.

Services may import it; the catalogues (i18n) take the list from here."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
FALLBACK_LANGUAGE = "en"  # whose name a reader gets when theirs is not stored


def _primary(code: str) -> str:
    """``zh_CN``, ``zh-hans`` → ``zh``."""
    return code.replace("_", "-").split("-")[0].lower()


def language_from_telegram(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Telegram's ``language_code`` (IETF tag: ``zh-hans``, ``en-US``) to ours."""
    if not code:
        return default
    primary = _primary(code)
    for language in LANGUAGES:
        if _primary(language) == primary:
            return language
    return default


def localized(by_language: Mapping[str, str], language: str) -> str:
    """The one of ``by_language`` (locale → text) for a reader of ``language``: their
    locale's, else one of the same language (``zh_TW`` reads ``zh_CN``), else
    :data:`FALLBACK_LANGUAGE`'s."""
    if language in by_language:
        return by_language[language]
    primary = _primary(language)
    for locale, text in by_language.items():
        if _primary(locale) == primary:
            return text
    return by_language[FALLBACK_LANGUAGE]
