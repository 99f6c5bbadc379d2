"""Reading requests for Open311: the filters of GET requests and FixMyStreet's service request updates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, ScalarSelect, Select, and_, or_, select
from sqlalchemy.orm import Session, aliased

from townhall.places.models import Property
from townhall.platform import clock
from townhall.service_requests.models import RequestUpdate, Service, ServiceRequest, id_from_reference
from townhall.service_requests.statuses import statuses_for_open311

DEFAULT_WINDOW = timedelta(days=90)
# Dates a filter may name: near year 1 or 9999 the window's arithmetic and time zone conversions leave the
# calendar (an OverflowError), and every request ever made falls well inside.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
MAX_RESULTS = 1000


class FilterProblem(ValueError):
    """A filter value that cannot be used; `field` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def parse_w3c(field: str, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+"))  # a "+" in a query string arrives as " "
    except ValueError:
        raise FilterProblem(field, "must be a W3C datetime such as 2026-11-01T09:00:00+00:00") from None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise FilterProblem(field, f"must be a date from the year {EARLIEST_YEAR} to {LATEST_YEAR}")
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.LONDON)


def date_window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The spec's default: the 90 days up to `end` (or now) when no start is given."""
    end = end or (start + DEFAULT_WINDOW if start else clock.now())
    start = start or end - DEFAULT_WINDOW
    if start > end:
        raise FilterProblem("start_date", "must be before end_date")
    return start, end


@dataclass(frozen=True, slots=True)
class RequestFilters:
    ids: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    status: str = ""


def _latest_public_note() -> ScalarSelect[str]:
    return (
        select(RequestUpdate.public_note)
        .where(RequestUpdate.request_id == ServiceRequest.id, RequestUpdate.public_note != "")
        .order_by(RequestUpdate.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _public_columns() -> Select[*tuple[Any, ...]]:
    """Just what an Open311 request document shows, with the street for requests whose location is private."""
    columns = (
        ServiceRequest.id, ServiceRequest.status, ServiceRequest.description, ServiceRequest.team,
        ServiceRequest.requested_at, ServiceRequest.updated_at, ServiceRequest.expected_at, ServiceRequest.address,
        ServiceRequest.uprn, ServiceRequest.latitude, ServiceRequest.longitude, ServiceRequest.media_url,
        Service.name.label("service_name"), Service.code.label("service_code"), Service.location_is_private,
        Property.street_name, Property.town, _latest_public_note().label("status_notes"),
    )  # fmt: skip
    return (
        select(*columns)
        .join(Service, Service.id == ServiceRequest.service_id)
        .outerjoin(Property, Property.uprn == ServiceRequest.uprn)
    )


def find_requests(session: Session, *, filters: RequestFilters) -> Sequence[Row[Any]]:
    """By id (the other filters then do not apply, as the spec says) or by service, dates and status.

    One query for the rows and their latest public notes, newest first, at most MAX_RESULTS.
    """
    statement = _public_columns()
    if filters.ids:
        wanted = [i for i in (id_from_reference(r) for r in filters.ids) if i]
        statement = statement.where(ServiceRequest.id.in_(wanted or [0]))
    else:
        start, end = date_window(filters.start, filters.end)
        statement = statement.where(ServiceRequest.requested_at.between(start, end))
        if filters.service_codes:
            statement = statement.where(Service.code.in_(filters.service_codes))
        if filters.status:
            statement = statement.where(ServiceRequest.status.in_(statuses_for_open311(filters.status)))
    statement = statement.order_by(ServiceRequest.requested_at.desc(), ServiceRequest.id.desc()).limit(MAX_RESULTS)
    return session.execute(statement).all()


def updates_between(session: Session, *, start: datetime | None, end: datetime | None) -> list[RequestUpdate]:
    """The updates a reporter may see in the window: those with a public note or a new status. An update with only
    an officer's internal note is staff business: published, it would be a blank comment on FixMyStreet."""
    first, last = date_window(start, end)
    earlier = aliased(RequestUpdate)
    status_before = (
        select(earlier.status)
        .where(
            earlier.request_id == RequestUpdate.request_id,
            or_(
                earlier.created_at < RequestUpdate.created_at,
                and_(earlier.created_at == RequestUpdate.created_at, earlier.id < RequestUpdate.id),
            ),
        )
        .order_by(earlier.created_at.desc(), earlier.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    public = or_(RequestUpdate.public_note != "", status_before.is_(None), status_before != RequestUpdate.status)
    statement = (
        select(RequestUpdate)
        .where(RequestUpdate.created_at.between(first, last), public)
        .order_by(RequestUpdate.created_at, RequestUpdate.id)
        .limit(MAX_RESULTS)
    )
    return list(session.scalars(statement))


def requests_by_token(session: Session, *, token: str) -> list[ServiceRequest]:
    """Every request made with ``token``, oldest first. A token is the client's own, unique per API key only, so
    two clients may have used the same one: each gets its answer in the list rather than the other's alone."""
    statement = select(ServiceRequest).where(ServiceRequest.client_token == token).order_by(ServiceRequest.id)
    return list(session.scalars(statement.limit(MAX_RESULTS)))
