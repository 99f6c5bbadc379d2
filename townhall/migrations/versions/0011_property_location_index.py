"""property location index for nearest-property searches

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29

The nearest property to a reported point is searched in a latitude and longitude box. An index on both, carrying
the street, town and ward on PostgreSQL (INCLUDE), answers the search from the index alone; it replaces the
latitude-only index, which it also serves.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARRIED = ["street_name", "town", "ward_code"]


def upgrade() -> None:
    with op.batch_alter_table("properties") as batch_op:
        batch_op.drop_index("ix_properties_latitude")
        batch_op.create_index("ix_properties_location", ["latitude", "longitude"], postgresql_include=CARRIED)


def downgrade() -> None:
    with op.batch_alter_table("properties") as batch_op:
        batch_op.drop_index("ix_properties_location")
        batch_op.create_index("ix_properties_latitude", ["latitude"], unique=False)
