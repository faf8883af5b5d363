"""contact reveals: the messages that showed a volunteer the resident's address

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 05:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_reveals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("hidden_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_contact_reveals_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_reveals")),
        sa.UniqueConstraint(
            "chat_id", "message_id", name=op.f("uq_contact_reveals_chat_id_message_id")
        ),
    )
    with op.batch_alter_table("contact_reveals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_reveals_claim_id"), ["claim_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contact_reveals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_reveals_claim_id"))
    op.drop_table("contact_reveals")
