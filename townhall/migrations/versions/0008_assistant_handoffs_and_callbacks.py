"""assistant hand-offs, call-back requests, officers' messages and options, browser-bound conversations

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistant_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_user_id"], ["users.id"], name=op.f("fk_assistant_handoffs_assigned_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_user_id"], ["users.id"], name=op.f("fk_assistant_handoffs_closed_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["assistant_conversations.id"],
            name=op.f("fk_assistant_handoffs_conversation_id_assistant_conversations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_handoffs")),
    )  # fmt: skip
    with op.batch_alter_table("assistant_handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assistant_handoffs_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assistant_handoffs_conversation_id"), ["conversation_id"], unique=False)

    op.create_table(
        "assistant_callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("call_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["assistant_conversations.id"],
            name=op.f("fk_assistant_callbacks_conversation_id_assistant_conversations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["done_by_user_id"], ["users.id"], name=op.f("fk_assistant_callbacks_done_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_callbacks")),
    )  # fmt: skip
    with op.batch_alter_table("assistant_callbacks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assistant_callbacks_conversation_id"), ["conversation_id"], unique=False)

    with op.batch_alter_table("assistant_conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_bound", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("assistant_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("options", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_assistant_messages_author_user_id_users"), "users", ["author_user_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("assistant_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_assistant_messages_author_user_id_users"), type_="foreignkey")
        batch_op.drop_column("options")
        batch_op.drop_column("author_user_id")
    with op.batch_alter_table("assistant_conversations", schema=None) as batch_op:
        batch_op.drop_column("browser_bound")
    with op.batch_alter_table("assistant_callbacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistant_callbacks_conversation_id"))
    op.drop_table("assistant_callbacks")
    with op.batch_alter_table("assistant_handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistant_handoffs_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_assistant_handoffs_closed_at"))
    op.drop_table("assistant_handoffs")
