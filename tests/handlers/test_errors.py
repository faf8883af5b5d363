"""The one error handler: an unexpected exception is logged with its traceback, the user
gets a short apology in their language, and nothing internal reaches the chat."""

from __future__ import annotations

import logging
from typing import Any, NoReturn

import pytest

from bot.i18n import get_translator
from tests.handlers.conftest import Harness, Person

SECRET = "connection to 10.0.0.7 failed: password=hunter2"


class Boom(RuntimeError):
    pass


async def boom(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise Boom(SECRET)


def assert_logged(caplog: pytest.LogCaptureFixture) -> None:
    records = [r for r in caplog.records if r.name == "volunteer_bot.errors"]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and isinstance(record.exc_info[1], Boom)
    assert "Traceback" in caplog.text and SECRET in caplog.text


def assert_nothing_internal(person: Person) -> None:
    for message in person.chat_view.messages:
        for leak in (SECRET, "hunter2", "Boom", "Traceback", "RuntimeError", ".py"):
            assert leak not in (message.html or ""), message.html


@pytest.mark.parametrize(
    ("language_code", "language"), [("zh-hans", "zh_CN"), ("en-US", "en"), ("fr", "zh_CN")]
)
async def test_a_failing_service_gets_an_apology(
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    language_code: str,
    language: str,
) -> None:
    person = harness.person(1001, "Wang", language_code)
    monkeypatch.setattr(harness.services.flows, "get", boom)

    with caplog.at_level(logging.ERROR):
        replies = await person.send("/start")

    assert [m.html for m in replies] == [get_translator(language)("error.internal")]
    assert_logged(caplog)
    assert_nothing_internal(person)


async def test_the_chosen_language_is_used_for_the_apology(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    person = harness.person(1002, "Wang", "zh-hans")
    await person.send("hi")
    user = await harness.services.users.get(1002)
    await harness.services.users.set_language(user.id, "en")
    monkeypatch.setattr(harness.services.flows, "get", boom)

    with caplog.at_level(logging.ERROR):
        replies = await person.send("some text")

    assert [m.html for m in replies] == [get_translator("en")("error.internal")]
    assert_logged(caplog)


async def test_failing_before_the_user_is_known(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """If loading the user fails, the apology follows Telegram's language code."""
    person = harness.person(1003, "Sam", "en-GB")
    monkeypatch.setattr(harness.services.users, "touch", boom)

    with caplog.at_level(logging.ERROR):
        replies = await person.send("/help")

    assert [m.html for m in replies] == [get_translator("en")("error.internal")]
    assert_logged(caplog)
    assert_nothing_internal(person)


async def test_a_failing_button_is_answered_and_apologised_for(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    person = harness.person(1004, "Sam", "en")
    await person.send("/lang")
    monkeypatch.setattr(harness.services.users, "set_language", boom)
    en = get_translator("en")

    with caplog.at_level(logging.ERROR):
        replies = await person.press(en.plain("language.name"))

    assert person.answer is not None  # the spinner on the button stops
    assert person.answer.text is None or SECRET not in person.answer.text
    assert [m.html for m in replies] == [en("error.internal")]
    assert_logged(caplog)
    assert_nothing_internal(person)


async def test_domain_errors_are_not_internal_errors(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A refusal (here: /pending by a non-coordinator) is a kind reply, not an apology,
    and is not logged as an error."""
    person = harness.person(1005, "Sam", "en")
    with caplog.at_level(logging.ERROR):
        [reply] = await person.send("/pending")
    assert reply.html == get_translator("en")("error.not_allowed")
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
