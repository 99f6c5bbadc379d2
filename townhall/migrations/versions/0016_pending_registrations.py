"""identity: registrations waiting for their email address to be confirmed

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29

A resident's account is made only once they follow the link sent to their email address, so an address can be
registered only by whoever reads it, and registering never says whether an address already has an account.
Until then the request waits here: the SHA-256 of the link's token, the address, the password's Argon2 hash,
when it was made and when it lapses (24 hours later).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_registrations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pending_registrations_token_hash")),
    )
    with op.batch_alter_table("pending_registrations") as batch:
        batch.create_index(batch.f("ix_pending_registrations_email"), ["email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_registrations") as batch:
        batch.drop_index(batch.f("ix_pending_registrations_email"))
    op.drop_table("pending_registrations")
