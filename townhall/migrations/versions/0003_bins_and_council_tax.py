"""bins and council tax

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bin_streams",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("colour", sa.String(length=60), nullable=False),
        sa.Column("accepts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_bin_streams")),
    )
    op.create_table(
        "bin_rounds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("stream_code", sa.String(length=20), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("frequency_weeks", sa.SmallInteger(), nullable=False),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["stream_code"], ["bin_streams.code"], name=op.f("fk_bin_rounds_stream_code_bin_streams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bin_rounds")),
    )
    with op.batch_alter_table("bin_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bin_rounds_stream_code"), ["stream_code"], unique=False)

    op.create_table(
        "ct_parishes",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("ward_code", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["ward_code"], ["wards.code"], name=op.f("fk_ct_parishes_ward_code_wards")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ct_parishes")),
        sa.UniqueConstraint("ward_code", name=op.f("uq_ct_parishes_ward_code")),
    )
    op.create_table(
        "bin_schedule_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.String(length=40), nullable=True),
        sa.Column("original_date", sa.Date(), nullable=False),
        sa.Column("new_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["bin_rounds.id"], name=op.f("fk_bin_schedule_changes_round_id_bin_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bin_schedule_changes")),
    )
    with op.batch_alter_table("bin_schedule_changes", schema=None) as batch_op:
        batch_op.create_index("ix_bin_schedule_changes_original_date", ["original_date"], unique=False)

    op.create_table(
        "ct_accounts",
        sa.Column("reference", sa.String(length=8), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.Column("instalment_months", sa.SmallInteger(), nullable=False),
        sa.Column("instalment_day", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(["uprn"], ["properties.uprn"], name=op.f("fk_ct_accounts_uprn_properties")),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_ct_accounts")),
    )
    with op.batch_alter_table("ct_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ct_accounts_uprn"), ["uprn"], unique=False)

    op.create_table(
        "ct_precepts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("parish_name", sa.String(length=100), nullable=True),
        sa.Column("band_d_pence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parish_name"], ["ct_parishes.name"], name=op.f("fk_ct_precepts_parish_name_ct_parishes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ct_precepts")),
        sa.UniqueConstraint("financial_year", "body", name=op.f("uq_ct_precepts_financial_year")),
    )
    with op.batch_alter_table("ct_precepts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ct_precepts_financial_year"), ["financial_year"], unique=False)

    op.create_table(
        "garden_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.Column("bins", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["uprn"], ["properties.uprn"], name=op.f("fk_garden_subscriptions_uprn_properties"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_garden_subscriptions")),
    )
    with op.batch_alter_table("garden_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_garden_subscriptions_uprn"), ["uprn"], unique=False)

    op.create_table(
        "property_bin_rounds",
        sa.Column("uprn", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("round_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["bin_rounds.id"], name=op.f("fk_property_bin_rounds_round_id_bin_rounds")
        ),
        sa.ForeignKeyConstraint(
            ["uprn"], ["properties.uprn"], name=op.f("fk_property_bin_rounds_uprn_properties"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("uprn", "round_id", name=op.f("pk_property_bin_rounds")),
    )
    with op.batch_alter_table("property_bin_rounds", schema=None) as batch_op:
        batch_op.create_index("ix_property_bin_rounds_round_id", ["round_id"], unique=False)

    op.create_table(
        "ct_bills",
        sa.Column("account_reference", sa.String(length=8), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("charge_pence", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_reference"], ["ct_accounts.reference"], name=op.f("fk_ct_bills_account_reference_ct_accounts")
        ),
        sa.PrimaryKeyConstraint("account_reference", "financial_year", "version", name=op.f("pk_ct_bills")),
    )
    op.create_table(
        "ct_discounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_reference", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("adults", sa.SmallInteger(), nullable=False),
        sa.Column("disregarded", sa.SmallInteger(), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_reference"], ["ct_accounts.reference"], name=op.f("fk_ct_discounts_account_reference_ct_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ct_discounts")),
    )
    with op.batch_alter_table("ct_discounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ct_discounts_account_reference"), ["account_reference"], unique=False)

    op.create_table(
        "ct_exemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_reference", sa.String(length=8), nullable=False),
        sa.Column("exemption_class", sa.String(length=1), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_reference"],
            ["ct_accounts.reference"],
            name=op.f("fk_ct_exemptions_account_reference_ct_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ct_exemptions")),
    )
    with op.batch_alter_table("ct_exemptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ct_exemptions_account_reference"), ["account_reference"], unique=False)

    op.create_table(
        "ct_liable_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_reference", sa.String(length=8), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_reference"],
            ["ct_accounts.reference"],
            name=op.f("fk_ct_liable_people_account_reference_ct_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ct_liable_people")),
    )
    with op.batch_alter_table("ct_liable_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ct_liable_people_account_reference"), ["account_reference"], unique=False)

    op.create_table(
        "ct_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_reference", sa.String(length=8), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("received", sa.Date(), nullable=False),
        sa.Column("pence", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_reference"], ["ct_accounts.reference"], name=op.f("fk_ct_payments_account_reference_ct_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ct_payments")),
    )
    with op.batch_alter_table("ct_payments", schema=None) as batch_op:
        batch_op.create_index("ix_ct_payments_account_received", ["account_reference", "received"], unique=False)

    op.create_table(
        "ct_instalments",
        sa.Column("account_reference", sa.String(length=8), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("bill_version", sa.SmallInteger(), nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("pence", sa.Integer(), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_reference", "financial_year", "bill_version"],
            ["ct_bills.account_reference", "ct_bills.financial_year", "ct_bills.version"],
            name="fk_ct_instalments_bill",
        ),
        sa.PrimaryKeyConstraint(
            "account_reference", "financial_year", "bill_version", "number", name=op.f("pk_ct_instalments")
        ),
    )


def downgrade() -> None:
    op.drop_table("ct_instalments")
    with op.batch_alter_table("ct_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_ct_payments_account_received")

    op.drop_table("ct_payments")
    with op.batch_alter_table("ct_liable_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ct_liable_people_account_reference"))

    op.drop_table("ct_liable_people")
    with op.batch_alter_table("ct_exemptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ct_exemptions_account_reference"))

    op.drop_table("ct_exemptions")
    with op.batch_alter_table("ct_discounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ct_discounts_account_reference"))

    op.drop_table("ct_discounts")
    op.drop_table("ct_bills")
    with op.batch_alter_table("property_bin_rounds", schema=None) as batch_op:
        batch_op.drop_index("ix_property_bin_rounds_round_id")

    op.drop_table("property_bin_rounds")
    with op.batch_alter_table("garden_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_garden_subscriptions_uprn"))

    op.drop_table("garden_subscriptions")
    with op.batch_alter_table("ct_precepts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ct_precepts_financial_year"))

    op.drop_table("ct_precepts")
    with op.batch_alter_table("ct_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ct_accounts_uprn"))

    op.drop_table("ct_accounts")
    with op.batch_alter_table("bin_schedule_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_bin_schedule_changes_original_date")

    op.drop_table("bin_schedule_changes")
    op.drop_table("ct_parishes")
    with op.batch_alter_table("bin_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bin_rounds_stream_code"))

    op.drop_table("bin_rounds")
    op.drop_table("bin_streams")
