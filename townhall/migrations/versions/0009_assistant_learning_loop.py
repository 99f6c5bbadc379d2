"""assistant learning loop: model versions and officers' labelled examples

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistant_model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("base_examples", sa.Integer(), nullable=False),
        sa.Column("labelled_examples", sa.Integer(), nullable=False),
        sa.Column("data_sha256", sa.String(length=64), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("promoted_by", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("rolled_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_model_versions")),
    )
    with op.batch_alter_table("assistant_model_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assistant_model_versions_status"), ["status"], unique=False)

    op.create_table(
        "assistant_labelled_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("labelled_by", sa.Integer(), nullable=True),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["labelled_by"], ["users.id"], name=op.f("fk_assistant_labelled_examples_labelled_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["assistant_messages.id"],
            name=op.f("fk_assistant_labelled_examples_message_id_assistant_messages"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_labelled_examples")),
        sa.UniqueConstraint("message_id", name=op.f("uq_assistant_labelled_examples_message_id")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("assistant_labelled_examples")
    with op.batch_alter_table("assistant_model_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistant_model_versions_status"))
    op.drop_table("assistant_model_versions")
