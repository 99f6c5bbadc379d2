"""nearest-neighbour index on property locations (PostgreSQL)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29

A reported point's nearest property was searched in a latitude and longitude box of about 660 by 830 metres:
every property in the box was read and sorted, some three hundred per point in a town. A GiST index on the
location as a geometric point answers "the nearest first" directly (PostgreSQL's k-nearest-neighbour search);
`service_requests.location` takes the few nearest it returns and ranks them exactly. Longitude is scaled by 0.62
(about the cosine of 52°, the middle of Great Britain's latitudes) so that distances in the index are within about
12% of true ones anywhere in Great Britain. The expression must stay identical to the query's
(`location.NEAREST_INDEX_EXPRESSION`), or PostgreSQL will not use the index: a test checks the plan.

SQLite keeps the box search over `ix_properties_location` (it has no GiST); the model declares this index for
PostgreSQL only (`ddl_if`).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_properties_nearest ON properties USING gist (point(longitude * 0.62, latitude))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_properties_nearest")
