"""What the fast paths need of python-telegram-bot beyond its public API, in one place.

PTB 22 exports its "argument not passed" sentinel only as ``BaseRequest.DEFAULT_NONE``
(documented: timeouts passed as it mean "this request's own default"); the class of
its sentinels and the type aliases of its signatures (``JSONDict``, ``ODVInput``,
``TimePeriod``) live in its private ``_utils`` package. This module names them from
the public side: the sentinel's class is ``type(BaseRequest.DEFAULT_NONE)``, the
aliases are written out. ``tests/runtime/test_ptb_compat.py`` fails if PTB changes under
them (the sentinel, the defaults of the methods overridden, their parameters).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final, TypeAlias

from telegram.request import BaseRequest

__all__ = ["DEFAULT_NONE", "DefaultValue", "JSONDict", "TimePeriod", "Timeout"]

JSONDict: TypeAlias = dict[str, Any]
"""A Bot API call's parameters or ``api_kwargs`` (PTB's ``JSONDict``)."""

TimePeriod: TypeAlias = int | timedelta
"""Seconds, or a ``timedelta`` (PTB's ``TimePeriod``)."""

DEFAULT_NONE: Final = BaseRequest.DEFAULT_NONE
"""PTB's "not passed" sentinel: the default of every timeout parameter of ``Bot`` and
``BaseRequest``."""

DefaultValue: Final = type(DEFAULT_NONE)
"""PTB's class of "not passed" sentinels: ``isinstance(timeout, DefaultValue)`` is how
PTB's own ``HTTPXRequest`` tells a timeout left to the request's default."""

Timeout: TypeAlias = Any
"""A timeout argument: seconds, ``None`` (no limit) or :data:`DEFAULT_NONE` (PTB's
``ODVInput[float]``, whose union names the private class, so it is not spelled out for
the type checker here)."""
