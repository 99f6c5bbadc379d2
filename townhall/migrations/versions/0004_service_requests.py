"""service requests: catalogue, requests, updates, notification outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("service_group", sa.String(length=60), nullable=False),
        sa.Column("keywords", sa.String(length=300), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("response_working_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
        sa.UniqueConstraint("code", name=op.f("uq_services_code")),
    )
    op.create_table(
        "service_attributes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("variable", sa.Boolean(), nullable=False),
        sa.Column("datatype", sa.String(length=20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("datatype_description", sa.String(length=300), nullable=False),
        sa.Column("allowed_values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_service_attributes_service_id_services"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_attributes")),
        sa.UniqueConstraint("service_id", "code", name="uq_service_attributes_service_code"),
    )
    op.create_table(
        "service_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=True),
        sa.Column("ward_code", sa.String(length=12), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("media_url", sa.String(length=500), nullable=True),
        sa.Column("photo_file", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reporter_user_id", sa.Integer(), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_first_name", sa.String(length=100), nullable=True),
        sa.Column("contact_last_name", sa.String(length=100), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("device_id", sa.String(length=100), nullable=True),
        sa.Column("account_id", sa.String(length=100), nullable=True),
        sa.Column("client_token", sa.String(length=100), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("assignee_user_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_user_id"],
            ["users.id"],
            name=op.f("fk_service_requests_assignee_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["service_requests.id"],
            name=op.f("fk_service_requests_duplicate_of_id_service_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_user_id"],
            ["users.id"],
            name=op.f("fk_service_requests_reporter_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_service_requests_service_id_services")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_requests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_service_requests_idempotency_key")),
    )
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_requests_assignee_user_id"), ["assignee_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_requests_client_token"), ["client_token"], unique=False)
        batch_op.create_index("ix_service_requests_latitude", ["latitude"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_requests_reporter_user_id"), ["reporter_user_id"], unique=False)
        batch_op.create_index("ix_service_requests_requested_at", ["requested_at"], unique=False)
        batch_op.create_index("ix_service_requests_service_requested", ["service_id", "requested_at"], unique=False)
        batch_op.create_index("ix_service_requests_status", ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_requests_ward_code"), ["ward_code"], unique=False)

    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_notification_outbox_request_id_service_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
    )
    with op.batch_alter_table("notification_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_notification_outbox_due", ["sent_at", "next_attempt_at"], unique=False)

    op.create_table(
        "service_request_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("public_note", sa.Text(), nullable=False),
        sa.Column("internal_note", sa.Text(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_service_request_updates_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_service_request_updates_request_id_service_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_request_updates")),
    )
    with op.batch_alter_table("service_request_updates", schema=None) as batch_op:
        batch_op.create_index("ix_service_request_updates_created_at", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_request_updates_request_id"), ["request_id"], unique=False)

    with op.batch_alter_table("properties", schema=None) as batch_op:
        batch_op.create_index("ix_properties_latitude", ["latitude"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("properties", schema=None) as batch_op:
        batch_op.drop_index("ix_properties_latitude")

    with op.batch_alter_table("service_request_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_request_updates_request_id"))
        batch_op.drop_index("ix_service_request_updates_created_at")

    op.drop_table("service_request_updates")
    with op.batch_alter_table("notification_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_outbox_due")

    op.drop_table("notification_outbox")
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_requests_ward_code"))
        batch_op.drop_index("ix_service_requests_status")
        batch_op.drop_index("ix_service_requests_service_requested")
        batch_op.drop_index("ix_service_requests_requested_at")
        batch_op.drop_index(batch_op.f("ix_service_requests_reporter_user_id"))
        batch_op.drop_index("ix_service_requests_latitude")
        batch_op.drop_index(batch_op.f("ix_service_requests_client_token"))
        batch_op.drop_index(batch_op.f("ix_service_requests_assignee_user_id"))

    op.drop_table("service_requests")
    op.drop_table("service_attributes")
    op.drop_table("services")
