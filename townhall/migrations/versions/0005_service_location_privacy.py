"""services: location_is_private (public reads show only the street for requests at someone's home)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The services of the default catalogue that are about a home; a council's own catalogue re-imports its flags.
AT_A_HOME = ("missed_bin", "bulky_waste", "noise")


def upgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_is_private", sa.Boolean(), server_default=sa.false(), nullable=False))
    services = sa.table("services", sa.column("code", sa.String), sa.column("location_is_private", sa.Boolean))
    op.execute(services.update().where(services.c.code.in_(AT_A_HOME)).values(location_is_private=True))


def downgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("location_is_private")
