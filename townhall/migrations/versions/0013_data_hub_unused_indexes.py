"""data hub: indexes no query uses, and columns no query reads, dropped

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29

Five indexes of the data hub's million-row tables were kept up to date by every ingest and every linkage run
but read by no query: the records' UPRN and batch (households are found through `datahub_people`, a source's
records through their source), and the run id of person-per-record, people and matches (only the latest run's
rows are kept, so nothing selects by run). At a million records the UPRN index alone cost about 3 s of each
full ingest (its keys arrive in random order); see docs/benchmarks.md, "Data hub".

Two columns no query read go too, for the same kind of reason: the records' batch (an extract replaces all of
its source's records, so a source's records always belong to its newest batch: `ingest.latest_batches`), and the
run id of person-per-record, people and matches (a run replaces all their rows, so every row belongs to the latest
run). On PostgreSQL each column's foreign key was checked row by row: about 4.5 s per million rows written (a
million-row COPY: 2.3 s without it, 6.8 s with it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, index, column)
UNUSED_INDEXES = (
    ("datahub_records", "ix_datahub_records_uprn", "uprn"),
    ("datahub_records", "ix_datahub_records_batch_id", "batch_id"),
    ("datahub_person_records", "ix_datahub_person_records_run_id", "run_id"),
    ("datahub_people", "ix_datahub_people_run_id", "run_id"),
    ("datahub_matches", "ix_datahub_matches_run_id", "run_id"),
)


# (table, column, the table it refers to, what the column held: SQL for the downgrade to fill it again)
DERIVABLE_COLUMNS = (
    ("datahub_records", "batch_id", "datahub_ingest_batches",
     "(SELECT max(b.id) FROM datahub_ingest_batches b WHERE b.source = datahub_records.source)"),
    *((table, "run_id", "datahub_linkage_runs", "(SELECT max(id) FROM datahub_linkage_runs)")
      for table in ("datahub_person_records", "datahub_people", "datahub_matches")),
)  # fmt: skip


def upgrade() -> None:
    for table, index, _column in UNUSED_INDEXES:
        op.drop_index(index, table_name=table)
    for table, column, referred, _value in DERIVABLE_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_{column}_{referred}", type_="foreignkey")
            batch.drop_column(column)


def downgrade() -> None:
    for table, column, referred, value in DERIVABLE_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET {column} = {value}")  # noqa: S608 - names and SQL are this file's
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(f"fk_{table}_{column}_{referred}", referred, [column], ["id"])
    for table, index, column in UNUSED_INDEXES:
        op.create_index(index, table, [column], unique=False)
