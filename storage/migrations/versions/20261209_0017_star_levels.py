"""volunteer_profiles.stars_announced: the highest star level (星级志愿者) a volunteer was
told of — each level is announced once, whatever corrections move their hours after

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("volunteer_profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stars_announced", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("volunteer_profiles", schema=None) as batch_op:
        batch_op.drop_column("stars_announced")
