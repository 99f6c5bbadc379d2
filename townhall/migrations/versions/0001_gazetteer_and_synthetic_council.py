"""gazetteer and synthetic council

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "streets",
        sa.Column("usrn", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("locality", sa.String(length=100), nullable=True),
        sa.Column("town", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("usrn", name=op.f("pk_streets")),
    )
    op.create_table(
        "synthetic_builds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synthetic_builds")),
    )
    op.create_table(
        "synthetic_households",
        sa.Column("household_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_synthetic_households")),
    )
    op.create_table(
        "synthetic_people",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_name", sa.String(length=60), nullable=False),
        sa.Column("middle_name", sa.String(length=60), nullable=True),
        sa.Column("last_name", sa.String(length=60), nullable=False),
        sa.Column("birth_last_name", sa.String(length=60), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("date_of_death", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_synthetic_people")),
    )
    op.create_table(
        "wards",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_wards")),
        sa.UniqueConstraint("name", name=op.f("uq_wards_name")),
    )
    op.create_table(
        "properties",
        sa.Column("uprn", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("usrn", sa.Integer(), nullable=False),
        sa.Column("sub_building_name", sa.String(length=100), nullable=True),
        sa.Column("building_name", sa.String(length=100), nullable=True),
        sa.Column("building_number", sa.String(length=20), nullable=True),
        sa.Column("street_name", sa.String(length=100), nullable=False),
        sa.Column("locality", sa.String(length=100), nullable=True),
        sa.Column("town", sa.String(length=100), nullable=False),
        sa.Column("postcode", sa.String(length=8), nullable=False),
        sa.Column("ward_code", sa.String(length=12), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("property_type", sa.String(length=30), nullable=False),
        sa.Column("council_tax_band", sa.String(length=1), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["usrn"], ["streets.usrn"], name=op.f("fk_properties_usrn_streets")),
        sa.ForeignKeyConstraint(["ward_code"], ["wards.code"], name=op.f("fk_properties_ward_code_wards")),
        sa.PrimaryKeyConstraint("uprn", name=op.f("pk_properties")),
    )
    with op.batch_alter_table("properties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_properties_postcode"), ["postcode"], unique=False)
        batch_op.create_index("ix_properties_usrn", ["usrn"], unique=False)
        batch_op.create_index(batch_op.f("ix_properties_ward_code"), ["ward_code"], unique=False)

    op.create_table(
        "synthetic_life_events",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["synthetic_people.person_id"],
            name=op.f("fk_synthetic_life_events_person_id_synthetic_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synthetic_life_events")),
    )
    with op.batch_alter_table("synthetic_life_events", schema=None) as batch_op:
        batch_op.create_index("ix_synthetic_life_events_person_id", ["person_id"], unique=False)

    op.create_table(
        "address_terms",
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.Column("uprn", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["uprn"], ["properties.uprn"], name=op.f("fk_address_terms_uprn_properties"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("term", "uprn", name=op.f("pk_address_terms")),
    )
    with op.batch_alter_table("address_terms", schema=None) as batch_op:
        batch_op.create_index("ix_address_terms_uprn", ["uprn"], unique=False)

    op.create_table(
        "synthetic_residences",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("moved_in", sa.Date(), nullable=False),
        sa.Column("moved_out", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["synthetic_households.household_id"],
            name=op.f("fk_synthetic_residences_household_id_synthetic_households"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["synthetic_people.person_id"],
            name=op.f("fk_synthetic_residences_person_id_synthetic_people"),
        ),
        sa.ForeignKeyConstraint(["uprn"], ["properties.uprn"], name=op.f("fk_synthetic_residences_uprn_properties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synthetic_residences")),
    )
    with op.batch_alter_table("synthetic_residences", schema=None) as batch_op:
        batch_op.create_index("ix_synthetic_residences_household_id", ["household_id"], unique=False)
        batch_op.create_index("ix_synthetic_residences_person_id", ["person_id"], unique=False)
        batch_op.create_index("ix_synthetic_residences_uprn", ["uprn"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("synthetic_residences", schema=None) as batch_op:
        batch_op.drop_index("ix_synthetic_residences_uprn")
        batch_op.drop_index("ix_synthetic_residences_person_id")
        batch_op.drop_index("ix_synthetic_residences_household_id")

    op.drop_table("synthetic_residences")
    with op.batch_alter_table("address_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_address_terms_uprn")

    op.drop_table("address_terms")
    with op.batch_alter_table("synthetic_life_events", schema=None) as batch_op:
        batch_op.drop_index("ix_synthetic_life_events_person_id")

    op.drop_table("synthetic_life_events")
    with op.batch_alter_table("properties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_properties_ward_code"))
        batch_op.drop_index("ix_properties_usrn")
        batch_op.drop_index(batch_op.f("ix_properties_postcode"))

    op.drop_table("properties")
    op.drop_table("wards")
    op.drop_table("synthetic_people")
    op.drop_table("synthetic_households")
    op.drop_table("synthetic_builds")
    op.drop_table("streets")
