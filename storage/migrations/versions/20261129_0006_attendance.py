"""attendance: check-in location, automatic check-out and corrected-hours flags on
claims; who confirmed an order completed, and when

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_in_latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("check_in_longitude", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("auto_checked_out", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("minutes_corrected", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("completed_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("completed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_completed_by_id_users"),
            "users",
            ["completed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_orders_completed_by_id_users"), type_="foreignkey")
        batch_op.drop_column("completed_by_id")
        batch_op.drop_column("completed_at")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("minutes_corrected")
        batch_op.drop_column("auto_checked_out")
        batch_op.drop_column("check_in_longitude")
        batch_op.drop_column("check_in_latitude")
