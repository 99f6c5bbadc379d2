"""data hub records linkage and decisions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "datahub_ingest_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("uprns_matched", sa.JSON(), nullable=False),
        sa.Column("contract", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datahub_ingest_batches")),
    )
    with op.batch_alter_table("datahub_ingest_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datahub_ingest_batches_source"), ["source"], unique=False)

    op.create_table(
        "datahub_linkage_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("issued_up_to", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datahub_linkage_runs")),
    )
    op.create_table(
        "datahub_officer_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_a", sa.String(length=140), nullable=False),
        sa.Column("record_b", sa.String(length=140), nullable=False),
        sa.Column("same_person", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datahub_officer_decisions")),
    )
    with op.batch_alter_table("datahub_officer_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datahub_officer_decisions_record_a"), ["record_a"], unique=False)
        batch_op.create_index(batch_op.f("ix_datahub_officer_decisions_record_b"), ["record_b"], unique=False)

    op.create_table(
        "datahub_linkage_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("person_id", sa.String(length=20), nullable=False),
        sa.Column("others", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["datahub_linkage_runs.id"], name=op.f("fk_datahub_linkage_events_run_id_datahub_linkage_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datahub_linkage_events")),
    )
    with op.batch_alter_table("datahub_linkage_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datahub_linkage_events_run_id"), ["run_id"], unique=False)

    op.create_table(
        "datahub_matches",
        sa.Column("record_l", sa.String(length=140), nullable=False),
        sa.Column("record_r", sa.String(length=140), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["datahub_linkage_runs.id"], name=op.f("fk_datahub_matches_run_id_datahub_linkage_runs")
        ),
        sa.PrimaryKeyConstraint("record_l", "record_r", name=op.f("pk_datahub_matches")),
    )
    with op.batch_alter_table("datahub_matches", schema=None) as batch_op:
        batch_op.create_index("ix_datahub_matches_record_r", ["record_r"], unique=False)
        batch_op.create_index(batch_op.f("ix_datahub_matches_run_id"), ["run_id"], unique=False)

    op.create_table(
        "datahub_people",
        sa.Column("person_id", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=True),
        sa.Column("household_id", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["datahub_linkage_runs.id"], name=op.f("fk_datahub_people_run_id_datahub_linkage_runs")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_datahub_people")),
    )
    with op.batch_alter_table("datahub_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datahub_people_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_datahub_people_run_id"), ["run_id"], unique=False)

    op.create_table(
        "datahub_person_records",
        sa.Column("record_key", sa.String(length=140), nullable=False),
        sa.Column("person_id", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["datahub_linkage_runs.id"], name=op.f("fk_datahub_person_records_run_id_datahub_linkage_runs")
        ),
        sa.PrimaryKeyConstraint("record_key", name=op.f("pk_datahub_person_records")),
    )
    with op.batch_alter_table("datahub_person_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datahub_person_records_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_datahub_person_records_run_id"), ["run_id"], unique=False)

    op.create_table(
        "datahub_quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["datahub_ingest_batches.id"],
            name=op.f("fk_datahub_quarantine_batch_id_datahub_ingest_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datahub_quarantine")),
    )
    with op.batch_alter_table("datahub_quarantine", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datahub_quarantine_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_datahub_quarantine_source"), ["source"], unique=False)

    op.create_table(
        "datahub_records",
        sa.Column("record_key", sa.String(length=140), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("source_record_id", sa.String(length=80), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=True),
        sa.Column("middle_name", sa.String(length=120), nullable=True),
        sa.Column("last_name", sa.String(length=80), nullable=True),
        sa.Column("first_name_canonical", sa.String(length=80), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("uprn", sa.BigInteger(), nullable=True),
        sa.Column("uprn_match", sa.String(length=12), nullable=False),
        sa.Column("address_is_home", sa.String(length=1), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["datahub_ingest_batches.id"], name=op.f("fk_datahub_records_batch_id_datahub_ingest_batches")
        ),
        sa.PrimaryKeyConstraint("record_key", name=op.f("pk_datahub_records")),
    )
    with op.batch_alter_table("datahub_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datahub_records_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_datahub_records_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_datahub_records_uprn"), ["uprn"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("datahub_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datahub_records_uprn"))
        batch_op.drop_index(batch_op.f("ix_datahub_records_source"))
        batch_op.drop_index(batch_op.f("ix_datahub_records_batch_id"))

    op.drop_table("datahub_records")
    with op.batch_alter_table("datahub_quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datahub_quarantine_source"))
        batch_op.drop_index(batch_op.f("ix_datahub_quarantine_batch_id"))

    op.drop_table("datahub_quarantine")
    with op.batch_alter_table("datahub_person_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datahub_person_records_run_id"))
        batch_op.drop_index(batch_op.f("ix_datahub_person_records_person_id"))

    op.drop_table("datahub_person_records")
    with op.batch_alter_table("datahub_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datahub_people_run_id"))
        batch_op.drop_index(batch_op.f("ix_datahub_people_household_id"))

    op.drop_table("datahub_people")
    with op.batch_alter_table("datahub_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datahub_matches_run_id"))
        batch_op.drop_index("ix_datahub_matches_record_r")

    op.drop_table("datahub_matches")
    with op.batch_alter_table("datahub_linkage_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datahub_linkage_events_run_id"))

    op.drop_table("datahub_linkage_events")
    with op.batch_alter_table("datahub_officer_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datahub_officer_decisions_record_b"))
        batch_op.drop_index(batch_op.f("ix_datahub_officer_decisions_record_a"))

    op.drop_table("datahub_officer_decisions")
    op.drop_table("datahub_linkage_runs")
    with op.batch_alter_table("datahub_ingest_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datahub_ingest_batches_source"))

    op.drop_table("datahub_ingest_batches")
