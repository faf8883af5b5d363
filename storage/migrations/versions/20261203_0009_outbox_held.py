"""outbox: the 'held' status (messages for someone who cannot be reached, kept until
they write to the bot); users: why they cannot be reached

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')"
AFTER = "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled', 'held')"


def _status_check(condition: str) -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_status"), condition)


def upgrade() -> None:
    _status_check(AFTER)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unreachable_reason", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("unreachable_reason")
    # held messages become failed ones: the status they had before this revision
    op.execute(
        "UPDATE outbox SET status = 'failed', last_error = 'held: recipient unreachable' "
        "WHERE status = 'held'"
    )
    _status_check(BEFORE)
