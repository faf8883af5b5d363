"""people: whether a volunteer's phone was verified by Telegram's contact button; the
command menu last set for each user's chat

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # numbers given before this revision are not known to be verified: typed, for all
    with op.batch_alter_table("volunteer_profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone_verified", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # none set yet: each person's menu is set at their next update
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("menu", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("menu")
    with op.batch_alter_table("volunteer_profiles", schema=None) as batch_op:
        batch_op.drop_column("phone_verified")
