"""INSERT … ON CONFLICT for both back ends."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_of(session: AsyncSession) -> str:
    """The session's back end: "postgresql" or "sqlite"."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def insert_for(session: AsyncSession, table: Any) -> Any:
    if dialect_of(session) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
