"""orders.scope: a district-wide order (announced to, and taken by, every volunteer
of the district)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_scope"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_orders_scope"), "scope IN ('community', 'street', 'district')"
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_scope"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_orders_scope"), "scope IN ('community', 'street')"
        )
