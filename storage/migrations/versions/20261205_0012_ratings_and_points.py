"""steps 6 and 7: 评单 (rating prompts and ratings) and the 公益银行 (points accounts,
the append-only ledger of movements, the rewards catalogue and redemptions)

Movements are never updated or deleted: a trigger on each back end refuses it (a
correction is a new movement). TRUNCATE, which the tests use to empty PostgreSQL,
does not fire row triggers.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "point_movements is append-only: book a new movement instead"


def upgrade() -> None:
    op.create_table(
        "point_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("balance", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "balance >= 0 OR kind = 'issuing'", name=op.f("ck_point_accounts_balance_not_negative")
        ),
        sa.CheckConstraint(
            "kind IN ('issuing', 'volunteer', 'fund', 'rewards')",
            name=op.f("ck_point_accounts_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_units.id"],
            name=op.f("fk_point_accounts_unit_id_org_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_point_accounts_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_accounts")),
        sa.UniqueConstraint("key", name=op.f("uq_point_accounts_key")),
    )
    op.create_index(op.f("ix_point_accounts_unit_id"), "point_accounts", ["unit_id"], unique=False)
    op.create_index(op.f("ix_point_accounts_user_id"), "point_accounts", ["user_id"], unique=False)
    op.create_table(
        "rewards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("active_from", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("active_to", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("photo_file_id", sa.String(length=256), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cost > 0", name=op.f("ck_rewards_cost_positive")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_rewards_stock_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_rewards_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_units.id"],
            name=op.f("fk_rewards_unit_id_org_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rewards")),
    )
    op.create_index("ix_rewards_unit_active", "rewards", ["unit_id", "active"], unique=False)
    op.create_table(
        "rating_prompts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("team", sa.Boolean(), nullable=False),
        sa.Column("asked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("finished_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("alerted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'done', 'expired')", name=op.f("ck_rating_prompts_state")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_rating_prompts_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["users.id"],
            name=op.f("fk_rating_prompts_rater_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_prompts")),
        sa.UniqueConstraint("order_id", name=op.f("uq_rating_prompts_order_id")),
    )
    op.create_index(
        op.f("ix_rating_prompts_rater_id"), "rating_prompts", ["rater_id"], unique=False
    )
    op.create_index(
        "ix_rating_prompts_state_expires", "rating_prompts", ["state", "expires_at"], unique=False
    )
    op.create_table(
        "redemptions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reward_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'handed_over', 'cancelled')", name=op.f("ck_redemptions_state")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_redemptions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reward_id"],
            ["rewards.id"],
            name=op.f("fk_redemptions_reward_id_rewards"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["users.id"],
            name=op.f("fk_redemptions_volunteer_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemptions")),
    )
    op.create_index(
        "ix_redemptions_reward_state", "redemptions", ["reward_id", "state"], unique=False
    )
    op.create_index("ix_redemptions_volunteer", "redemptions", ["volunteer_id", "id"], unique=False)
    op.create_table(
        "point_movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("from_account_id", sa.Integer(), nullable=False),
        sa.Column("to_account_id", sa.Integer(), nullable=False),
        sa.Column("from_balance", sa.Integer(), nullable=False),
        sa.Column("to_balance", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "redemption_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("audit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('earn', 'bonus', 'adjust', 'redeem', 'refund', 'transfer')",
            name=op.f("ck_point_movements_kind"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_point_movements_amount_positive")),
        sa.CheckConstraint(
            "from_account_id <> to_account_id", name=op.f("ck_point_movements_two_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_point_movements_actor_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audit_log.id"],
            name=op.f("fk_point_movements_audit_id_audit_log"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_point_movements_claim_id_claims"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["from_account_id"],
            ["point_accounts.id"],
            name=op.f("fk_point_movements_from_account_id_point_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_point_movements_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["redemption_id"],
            ["redemptions.id"],
            name=op.f("fk_point_movements_redemption_id_redemptions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_account_id"],
            ["point_accounts.id"],
            name=op.f("fk_point_movements_to_account_id_point_accounts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_movements")),
        sa.UniqueConstraint("key", name=op.f("uq_point_movements_key")),
    )
    op.create_index(
        op.f("ix_point_movements_created_at"), "point_movements", ["created_at"], unique=False
    )
    op.create_index(
        "ix_point_movements_from", "point_movements", ["from_account_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_point_movements_order_id"), "point_movements", ["order_id"], unique=False
    )
    op.create_index(
        "ix_point_movements_to", "point_movements", ["to_account_id", "id"], unique=False
    )
    op.create_table(
        "ratings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "prompt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("team", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_ratings_stars")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_ratings_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ratings_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["rating_prompts.id"],
            name=op.f("fk_ratings_prompt_id_rating_prompts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["users.id"],
            name=op.f("fk_ratings_volunteer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("order_id", "claim_id", name=op.f("uq_ratings_order_id_claim_id")),
    )
    op.create_index("ix_ratings_volunteer", "ratings", ["volunteer_id"], unique=False)
    _append_only()


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION point_movements_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER point_movements_append_only BEFORE UPDATE OR DELETE "
            "ON point_movements FOR EACH ROW EXECUTE FUNCTION point_movements_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER point_movements_no_{event.lower()} BEFORE {event} "
            f"ON point_movements BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER point_movements_append_only ON point_movements")
        op.execute("DROP FUNCTION point_movements_append_only()")
    else:
        op.execute("DROP TRIGGER point_movements_no_update")
        op.execute("DROP TRIGGER point_movements_no_delete")
    op.drop_index("ix_ratings_volunteer", table_name="ratings")
    op.drop_table("ratings")
    op.drop_index("ix_point_movements_to", table_name="point_movements")
    op.drop_index(op.f("ix_point_movements_order_id"), table_name="point_movements")
    op.drop_index("ix_point_movements_from", table_name="point_movements")
    op.drop_index(op.f("ix_point_movements_created_at"), table_name="point_movements")
    op.drop_table("point_movements")
    op.drop_index("ix_redemptions_volunteer", table_name="redemptions")
    op.drop_index("ix_redemptions_reward_state", table_name="redemptions")
    op.drop_table("redemptions")
    op.drop_index("ix_rating_prompts_state_expires", table_name="rating_prompts")
    op.drop_index(op.f("ix_rating_prompts_rater_id"), table_name="rating_prompts")
    op.drop_table("rating_prompts")
    op.drop_index("ix_rewards_unit_active", table_name="rewards")
    op.drop_table("rewards")
    op.drop_index(op.f("ix_point_accounts_user_id"), table_name="point_accounts")
    op.drop_index(op.f("ix_point_accounts_unit_id"), table_name="point_accounts")
    op.drop_table("point_accounts")
