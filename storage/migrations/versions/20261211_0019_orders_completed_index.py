"""ix_orders_completed: orders by state and completion time — the hours of a period
(leaderboards, star levels, exports, charts) read the completed orders of that period
instead of every place ever served (bench/README.md, "Scale (issue 16)": a month's hours
at 123,000 volunteers, 342 → 74 ms on SQLite)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-11 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_completed", ["state", "completed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_completed")
