"""data hub: indexes no query uses dropped

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29

Five indexes of the data hub's million-row tables were kept up to date by every ingest and every linkage run
but read by no query: the records' UPRN and batch (households are found through `datahub_people`, a source's
records through their source), and the run id of person-per-record, people and matches (only the latest run's
rows are kept, so nothing selects by run). At a million records the UPRN index alone cost about 3 s of each
full ingest (its keys arrive in random order); see docs/benchmarks.md, "Data hub".

The foreign keys stay. Without an index on the child column, deleting a batch or a run scans the child table
once; the data hub deletes neither (a new extract or run replaces the rows, not the batch or run).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, index, column)
UNUSED = (
    ("datahub_records", "ix_datahub_records_uprn", "uprn"),
    ("datahub_records", "ix_datahub_records_batch_id", "batch_id"),
    ("datahub_person_records", "ix_datahub_person_records_run_id", "run_id"),
    ("datahub_people", "ix_datahub_people_run_id", "run_id"),
    ("datahub_matches", "ix_datahub_matches_run_id", "run_id"),
)


def upgrade() -> None:
    for table, index, _column in UNUSED:
        op.drop_index(index, table_name=table)


def downgrade() -> None:
    for table, index, column in UNUSED:
        op.create_index(index, table, [column], unique=False)
