"""``column IN (many values)`` as one bound parameter, on both back ends.

``column.in_(values)`` binds one parameter per value. For the thousand ids of a grab
storm (the users behind the taps, their rows on the order) that is a thousand
parameters to render, convert and send, in chunks under the drivers' limits; one
parameter reads the same rows in a fraction of the time on PostgreSQL and in less on
SQLite (see bench/README.md, section "Many ids as one parameter"). One parameter also
means one statement whatever the number of values, compiled and prepared once.

- PostgreSQL: ``column = ANY(:values)``, an array of the column's type;
- SQLite: ``column IN (SELECT value FROM json_each(:values))``, the values as a JSON
  array (SQLite's JSON functions are built in since 3.38, and in Python's own builds
  long before).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.upsert import dialect_of

__all__ = ["among"]


def among(session: AsyncSession, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column`` is one of ``values`` (ints or strings), bound as one parameter."""
    items = list(values)
    if dialect_of(session) == "postgresql":
        return column == any_(bindparam(None, items, type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    listed = func.json_each(bindparam(None, json.dumps(items), type_=String)).table_valued("value")
    return column.in_(select(listed.c.value))  # type: ignore[no-any-return]
