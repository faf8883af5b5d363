"""bot.runtime.ptb_compat names what PTB keeps private: these fail when PTB changes under it
(the sentinel, the aliases, the methods the fast paths override or rely on)."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

from telegram import Bot
from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.runtime.http_client import ReqwestRequest
from bot.runtime.ptb_compat import DEFAULT_NONE, DefaultValue, JSONDict, TimePeriod
from bot.runtime.volunteer_bot import VolunteerBot

TIMEOUTS = ("read_timeout", "write_timeout", "connect_timeout", "pool_timeout")


def shape(method: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    """A signature without its annotations: each parameter's name, kind and default."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(method).parameters.values()]


def test_the_sentinel_is_the_default_of_ptb_s_timeouts() -> None:
    assert isinstance(DEFAULT_NONE, DefaultValue)
    assert DEFAULT_NONE.value is None
    for method in (
        Bot.send_message,
        ExtBot.answer_callback_query,
        BaseRequest.post,
        BaseRequest.do_request,
        HTTPXRequest.do_request,
    ):
        parameters = inspect.signature(method).parameters
        for name in TIMEOUTS:
            assert parameters[name].default is DEFAULT_NONE, (method, name)


def test_ptb_s_timeout_type_is_made_of_this_class() -> None:
    # ODVInput[float]: DefaultValue[float] | float | DefaultValue[None] | None
    hints = typing.get_type_hints(BaseRequest.do_request)
    for name in TIMEOUTS:
        members = typing.get_args(hints[name])
        assert {typing.get_origin(m) for m in members} - {None} == {DefaultValue}, name
        assert float in members and type(None) in members


def test_the_aliases_are_ptb_s() -> None:
    hints = typing.get_type_hints(ExtBot.answer_callback_query)
    assert hints["api_kwargs"] == JSONDict | None
    assert hints["cache_time"] == TimePeriod | None


def test_the_lean_answer_has_ptb_s_signature() -> None:
    assert shape(VolunteerBot.answer_callback_query) == shape(ExtBot.answer_callback_query)


def test_the_http_client_implements_ptb_s_request_interface() -> None:
    assert shape(ReqwestRequest.do_request) == shape(BaseRequest.do_request)
    # what ReqwestRequest (and its replayed answer) implement is all PTB asks for
    assert BaseRequest.__abstractmethods__ == {
        "do_request",
        "initialize",
        "shutdown",
        "read_timeout",
    }
    # what post_json relies on: PTB's post (which maps an answer to its errors) and parser
    assert shape(BaseRequest.post) == [
        ("self", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty),
        ("url", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty),
        ("request_data", inspect.Parameter.POSITIONAL_OR_KEYWORD, None),
        *((name, inspect.Parameter.POSITIONAL_OR_KEYWORD, DEFAULT_NONE) for name in TIMEOUTS),
    ]
    assert callable(BaseRequest.parse_json_payload)
    assert isinstance(BaseRequest.USER_AGENT, str)
    # what do_request reads of a call's parameters
    empty = RequestData()
    assert (empty.contains_files, empty.parameters, empty.json_parameters) == (False, {}, {})
    assert empty.multipart_data == {}
