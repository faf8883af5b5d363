"""orders and claims

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 04:09:51.390287
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=True),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_name", sa.String(length=64), nullable=True),
        sa.Column("beneficiary_phone", sa.String(length=20), nullable=True),
        sa.Column("beneficiary_address", sa.Text(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("helpers_requested", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("points_rate", sa.Float(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("guidance", sa.Text(), nullable=True),
        sa.Column("opens_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column(
            "duplicate_of_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("reject_reason", sa.String(length=500), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("scope IN ('community', 'street')", name=op.f("ck_orders_scope")),
        sa.CheckConstraint(
            "state IN ('pending_review', 'open', 'filled', 'in_service', 'completed', "
            "'rejected', 'cancelled', 'expired')",
            name=op.f("ck_orders_state"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_orders_window")),
        sa.CheckConstraint(
            "helpers_requested BETWEEN 1 AND 200", name=op.f("ck_orders_helpers_range")
        ),
        sa.CheckConstraint(
            "places > 0 OR published_at IS NULL", name=op.f("ck_orders_published_has_places")
        ),
        sa.CheckConstraint("places BETWEEN 0 AND 200", name=op.f("ck_orders_places_range")),
        sa.CheckConstraint("taken <= places", name=op.f("ck_orders_taken_within_places")),
        sa.CheckConstraint("taken >= 0", name=op.f("ck_orders_taken_not_negative")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["org_units.id"],
            name=op.f("fk_orders_community_id_org_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["orders.id"],
            name=op.f("fk_orders_duplicate_of_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["users.id"],
            name=op.f("fk_orders_requester_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_orders_reviewed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_orders_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_browse", ["state", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_requester_id"), ["requester_id"], unique=False)
        batch_op.create_index(
            "ix_orders_review", ["state", "community_id", "created_at"], unique=False
        )

    op.create_table(
        "claims",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("joined_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("offered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("guidance_confirmed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("late_cancel", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('claimed', 'waitlisted', 'offered', 'cancelled', 'checked_in', "
            "'done', 'no_show')",
            name=op.f("ck_claims_state"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_claims_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["users.id"],
            name=op.f("fk_claims_volunteer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint(
            "order_id", "volunteer_id", name=op.f("uq_claims_order_id_volunteer_id")
        ),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_offer_expiry", ["state", "offer_expires_at"], unique=False)
        batch_op.create_index(
            "ix_claims_order_state", ["order_id", "state", "joined_at"], unique=False
        )
        batch_op.create_index("ix_claims_volunteer_state", ["volunteer_id", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_volunteer_state")
        batch_op.drop_index("ix_claims_order_state")
        batch_op.drop_index("ix_claims_offer_expiry")

    op.drop_table("claims")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_review")
        batch_op.drop_index(batch_op.f("ix_orders_requester_id"))
        batch_op.drop_index("ix_orders_browse")

    op.drop_table("orders")
