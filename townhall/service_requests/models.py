"""Service requests' tables: the catalogue (services and their questions), requests and updates.

Times are timezone-aware and stored as such. A request's public reference is derived from its id
(`SR-00012345`), so it never needs a second unique column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from townhall.db import Base
from townhall.db import UtcDateTime as UtcDateTime  # re-exported: the assistant's models import it from here
from townhall.platform.numbers import whole_number
from townhall.platform.outbox import OutboxMessage as OutboxMessage  # the outbox moved to platform: old imports work


class Service(Base):
    """One kind of problem a resident can report (Open311's "service"), with its service level and team."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    group: Mapped[str] = mapped_column("service_group", String(60), default="")
    keywords: Mapped[str] = mapped_column(String(300), default="")  # comma-separated, as Open311 lists them
    team: Mapped[str] = mapped_column(String(60))
    response_working_days: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # True when the location is someone's home (a missed bin, noise): public reads then show only the street.
    # False for problems on public land (a pothole, graffiti), where the exact spot is the point of the report.
    location_is_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    attributes: Mapped[list[ServiceAttribute]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ServiceAttribute.order"
    )


class ServiceAttribute(Base):
    """A question a service asks (Open311's attribute), with its allowed values for list types."""

    __tablename__ = "service_attributes"
    __table_args__ = (UniqueConstraint("service_id", "code", name="uq_service_attributes_service_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    variable: Mapped[bool] = mapped_column(Boolean, default=True)
    datatype: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    order: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str] = mapped_column(String(500))
    datatype_description: Mapped[str] = mapped_column(String(300), default="")
    # [{"key": "refuse", "name": "General rubbish"}, ...] for singlevaluelist and multivaluelist
    allowed_values: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)


class ServiceRequest(Base):
    """A reported problem, however it arrived (pages, Open311, the JSON API, the assistant)."""

    __tablename__ = "service_requests"
    __table_args__ = (
        Index("ix_service_requests_service_requested", "service_id", "requested_at"),
        Index("ix_service_requests_requested_at", "requested_at"),
        Index("ix_service_requests_latitude", "latitude"),
        Index("ix_service_requests_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    status: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(300), default="")
    uprn: Mapped[int | None] = mapped_column(BigInteger)
    ward_code: Mapped[str | None] = mapped_column(String(12), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    media_url: Mapped[str | None] = mapped_column(String(500))
    photo_file: Mapped[str | None] = mapped_column(String(100))  # a random file name under the photo folder
    source: Mapped[str] = mapped_column(String(20))  # web, open311, api, assistant, synthetic
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_first_name: Mapped[str | None] = mapped_column(String(100))
    contact_last_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    device_id: Mapped[str | None] = mapped_column(String(100))
    account_id: Mapped[str | None] = mapped_column(String(100))
    # The client's own token (Open311 `token`), for GET tokens/{token}; unique per API key via idempotency_key.
    client_token: Mapped[str | None] = mapped_column(String(100), index=True)
    # One submission, one request: the same key twice is refused by the database, even when concurrent.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    team: Mapped[str] = mapped_column(String(60))
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    service: Mapped[Service] = relationship(lazy="joined", innerjoin=True)

    @property
    def reference(self) -> str:
        return reference_for(self.id)


class RequestUpdate(Base):
    """A change to a request: its new status, a note the reporter may see and a note only staff see."""

    __tablename__ = "service_request_updates"
    __table_args__ = (Index("ix_service_request_updates_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    public_note: Mapped[str] = mapped_column(Text, default="")
    internal_note: Mapped[str] = mapped_column(Text, default="")
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


REFERENCE_PREFIX = "SR-"


def reference_for(request_id: int) -> str:
    """`SR-00012345`: the reference residents and Open311 clients quote."""
    return f"{REFERENCE_PREFIX}{request_id:08d}"


def id_from_reference(reference: str) -> int | None:
    """The id a well-formed reference stands for, or None (lower case and spaces are forgiven)."""
    text = reference.strip().upper().replace(" ", "")
    digits = text.removeprefix(REFERENCE_PREFIX)
    if len(digits) != 8 or not text.startswith(REFERENCE_PREFIX):
        return None
    return whole_number(digits) or None
