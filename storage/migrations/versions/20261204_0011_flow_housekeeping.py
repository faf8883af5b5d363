"""flow_states.history, return_to, return_until: where "back" leads, beside the draft
rather than inside it (the draft's keys were ``_history``, ``_return`` and
``_return_until``; a row saved before is moved over, so the user's place is kept)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
LEGACY = {"_history": "history", "_return": "return_to", "_return_until": "return_until"}


def _flow_states(*columns: str) -> sa.TableClause:
    kinds: dict[str, Any] = {
        "user_id": sa.Integer(),
        "return_to": sa.String(32),
        "return_until": sa.String(32),
    }
    return sa.table("flow_states", *(sa.column(c, kinds.get(c, JSON)) for c in columns))


def upgrade() -> None:
    with op.batch_alter_table("flow_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history", JSON, server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("return_to", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("return_until", sa.String(length=32), nullable=True))
    table = _flow_states("user_id", "data", "history", "return_to", "return_until")
    connection = op.get_bind()
    for user_id, data in connection.execute(sa.select(table.c.user_id, table.c.data)).all():
        if not isinstance(data, dict) or not set(LEGACY) & set(data):
            continue
        moved = {new: data.get(old) for old, new in LEGACY.items()}
        moved["history"] = list(moved["history"] or [])
        draft = {k: v for k, v in data.items() if k not in LEGACY}
        connection.execute(
            table.update().where(table.c.user_id == user_id).values(data=draft, **moved)
        )


def downgrade() -> None:
    table = _flow_states("user_id", "data", "history", "return_to", "return_until")
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            table.c.user_id, table.c.data, table.c.history, table.c.return_to, table.c.return_until
        )
    ).all()
    for user_id, data, history, return_to, return_until in rows:
        legacy = {"_history": history or [], "_return": return_to, "_return_until": return_until}
        kept = {k: v for k, v in legacy.items() if v}
        if kept:
            connection.execute(
                table.update().where(table.c.user_id == user_id).values(data={**data, **kept})
            )
    with op.batch_alter_table("flow_states", schema=None) as batch_op:
        batch_op.drop_column("return_until")
        batch_op.drop_column("return_to")
        batch_op.drop_column("history")
