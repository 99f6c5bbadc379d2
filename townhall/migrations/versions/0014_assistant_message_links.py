"""assistant: the links a reply points to, kept with the message

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29

A reply may point to pages (a knowledge article's links, "Your account" with a balance, a report's tracking page).
Only its text was kept, so the chat page, which shows the kept transcript, dropped them: a resident never saw the
link. Messages stored before this have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assistant_messages") as batch:
        batch.add_column(sa.Column("links", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assistant_messages") as batch:
        batch.drop_column("links")
