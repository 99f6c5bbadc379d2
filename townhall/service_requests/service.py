"""Creating and finding service requests: one `create_request` for pages, Open311, the JSON API and the assistant.

Every check a request must pass happens here, so no interface can let a bad one in: the service exists, the
location is inside the council's area, required questions are answered with allowed values, the description
fits, and a missed bin is inside its reporting window (the rules in force, see `missed_bins`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from townhall.db import table_of
from townhall.places.service import search_addresses
from townhall.platform import clock
from townhall.platform.bulk import array_parameters, insert_from_arrays
from townhall.platform.errors import InvalidInput, NotFound, TownhallError
from townhall.platform.outbox import WRONG_EMAIL_FORMAT, is_email_address
from townhall.service_requests import location, missed_bins
from townhall.service_requests.catalogue import ServiceRules, active_catalogue, check_answers, service_by_code
from townhall.service_requests.models import (
    RequestUpdate,
    Service,
    ServiceRequest,
    id_from_reference,
    reference_for,
)
from townhall.service_requests.working_days import expected_by

MAX_DESCRIPTION = 4000
SOURCES = frozenset({"web", "open311", "api", "assistant"})


class RequestProblems(InvalidInput):
    """Everything wrong with a submission, each against the field a person (or client) must fix."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))
        self.problems = problems


@dataclass
class NewRequest:
    """What someone reported. `answers` maps each question's code to the values given (lists for every type)."""

    service_code: str
    source: str
    description: str = ""
    latitude: float | None = None
    longitude: float | None = None
    address_string: str = ""
    uprn: int | None = None
    answers: dict[str, list[str]] = field(default_factory=dict)
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    media_url: str | None = None
    photo_file: str | None = None
    reporter_user_id: int | None = None
    client_token: str | None = None
    idempotency_key: str | None = None


def _place(
    session: Session,
    new: NewRequest,
    problems: list[tuple[str, str]],
    known: Mapping[location.Point, location.Nearest | None] | None = None,
) -> location.Place | None:
    if new.uprn is not None:
        found = location.place_of_property(session, new.uprn)
        if found is None:
            problems.append(("address_id", f"there is no property with UPRN {new.uprn} in the council's area"))
        return found
    if (new.latitude is None or new.longitude is None) and new.address_string.strip():
        return _place_of_address_string(session, new.address_string, problems)
    if new.latitude is None or new.longitude is None:
        problems.append(("lat", "give the location as lat and long, an address_string or an address_id (UPRN)"))
        return None
    area = location.council_area(session)
    if area is None or not area.contains(new.latitude, new.longitude):
        problems.append(("lat", "the location is outside the council's area"))
        return None
    return location.place_at(session, new.latitude, new.longitude, new.address_string.strip()[:300], known=known)


def _place_of_address_string(session: Session, text: str, problems: list[tuple[str, str]]) -> location.Place | None:
    """An address as typed, when it matches exactly one property in the gazetteer."""
    try:
        matches = search_addresses(session, query=text[:200], limit=2)
    except InvalidInput:
        matches = []
    if len(matches) != 1:
        problems.append(("address_string", "does not match exactly one address: send lat and long or address_id"))
        return None
    return location.place_of_property(session, matches[0].uprn)


def check_missed_bin(session: Session, *, uprn: int | None, answers: dict[str, object], now: datetime) -> str | None:
    """Why a missed-bin report cannot be taken, or None when the rules in force allow it."""
    stream, on = answers.get(missed_bins.STREAM_ATTRIBUTE), answers.get(missed_bins.DATE_ATTRIBUTE)
    if uprn is None:
        return "a missed bin must be reported for an address (choose the address, or send address_id)"
    if not isinstance(stream, str) or not isinstance(on, str):
        return None  # the missing answer is already a problem of its own
    allowed, explanation = missed_bins.missed_collection_rules().window(
        session, uprn=uprn, stream=stream, on=date.fromisoformat(on), now=now
    )
    return None if allowed else explanation


def _checked(
    session: Session,
    new: NewRequest,
    service: Service | ServiceRules,
    now: datetime,
    known: Mapping[location.Point, location.Nearest | None] | None = None,
) -> tuple[location.Place, dict]:  # type: ignore[type-arg]
    problems: list[tuple[str, str]] = []
    if len(new.description) > MAX_DESCRIPTION:
        problems.append(("description", f"the description must be {MAX_DESCRIPTION:,} characters or fewer"))
    if new.email is not None and not is_email_address(new.email):  # stored, then every status change emailed to it
        problems.append(("email", WRONG_EMAIL_FORMAT))
    place = _place(session, new, problems, known)
    answers, answer_problems = check_answers(service, new.answers)
    problems += [(f"attribute[{p.field}]", p.message) for p in answer_problems]
    if service.code == missed_bins.MISSED_BIN_SERVICE and not problems:
        refusal = check_missed_bin(session, uprn=place.uprn if place else None, answers=answers, now=now)
        if refusal:
            problems.append(("attribute[collection_date]", refusal))
    if problems or place is None:
        raise RequestProblems(problems)
    return place, answers


def validate_request(session: Session, *, new: NewRequest) -> tuple[Service, location.Place, dict]:  # type: ignore[type-arg]
    """Every check `create_request` makes, without creating anything (for a check-your-answers page)."""
    service = service_by_code(session, code=new.service_code)
    place, answers = _checked(session, new, service, clock.now())
    return service, place, answers


def existing_for_key(session: Session, key: str | None) -> ServiceRequest | None:
    if key is None:
        return None
    return session.scalar(select(ServiceRequest).where(ServiceRequest.idempotency_key == key))


def create_request(session: Session, *, new: NewRequest) -> tuple[ServiceRequest, bool]:
    """The request, and whether it is new: a submission with a known idempotency key returns the first one.

    Raises NotFound for an unknown service and RequestProblems (naming each field) for anything else wrong.
    """
    if new.source not in SOURCES:
        raise ValueError(f"unknown source {new.source!r}")
    earlier = existing_for_key(session, new.idempotency_key)
    if earlier is not None:
        return earlier, False
    service = service_by_code(session, code=new.service_code)
    now = clock.now()
    place, answers = _checked(session, new, service, now)
    request = ServiceRequest(
        service_id=service.id, service=service, status="open", description=new.description.strip(),
        latitude=place.latitude, longitude=place.longitude, address=place.address, uprn=place.uprn,
        ward_code=place.ward_code, answers=answers, media_url=new.media_url, photo_file=new.photo_file,
        source=new.source, reporter_user_id=new.reporter_user_id, contact_email=new.email,
        contact_first_name=new.first_name, contact_last_name=new.last_name, contact_phone=new.phone,
        device_id=new.device_id, account_id=new.account_id, client_token=new.client_token,
        idempotency_key=new.idempotency_key, team=service.team, requested_at=now, updated_at=now,
        expected_at=expected_by(now, service.response_working_days),
    )  # fmt: skip
    return _insert_once(session, request, new.idempotency_key)


def _insert_once(session: Session, request: ServiceRequest, key: str | None) -> tuple[ServiceRequest, bool]:
    """Insert, or, when a concurrent submission with the same key won the race, return the one it made."""
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:
        earlier = existing_for_key(session, key)
        if earlier is None:
            raise
        return earlier, False
    return request, True


@dataclass(frozen=True, slots=True)
class CreatedRequest:
    """What `create_requests` made (or found, for a repeated submission): enough to answer the client."""

    id: int
    expected_at: datetime
    is_new: bool

    @property
    def reference(self) -> str:
        return reference_for(self.id)


def create_requests(session: Session, news: Sequence[NewRequest]) -> list[CreatedRequest | TownhallError]:
    """`create_request` for many submissions at once (Open311's group commit): the same checks for each, then one
    statement for the catalogue, one INSERT for every new request, and one look-up of earlier submissions only
    when some keys were already taken or some submissions failed.

    One answer per submission, in order: what was created (or, for a known idempotency key, found), or the error
    `create_request` would have raised (NotFound for an unknown service, RequestProblems for anything else).
    An idempotency key is claimed by the database (`ON CONFLICT DO NOTHING`), so a concurrent or repeated
    submission with the same key, even within the batch, gets the first request and never a second one.
    """
    if any(new.source not in SOURCES for new in news):
        raise ValueError("unknown source")
    if any(new.idempotency_key is None for new in news):
        raise ValueError("create_requests needs an idempotency key for every submission")
    answers: list[CreatedRequest | TownhallError | None] = [None] * len(news)
    services = active_catalogue(session)
    rows: dict[int, dict[str, Any]] = {}
    failed: dict[int, TownhallError] = {}
    known = _nearest_to_points(session, news)
    for position, new in enumerate(news):
        service = services.get(new.service_code)
        if service is None:
            failed[position] = NotFound(f"There is no service with the code {new.service_code!r}")
            continue
        try:
            rows[position] = _new_row(session, new, service, clock.now(), known)
        except RequestProblems as problems:
            failed[position] = problems
    inserted = _insert_ignoring_repeats(session, list(rows.values()))
    # Keys are looked up only after the INSERT, for the few that need it: a repeat (its key was taken, earlier or
    # in this batch) gets the request first made for it, and so does a repeat that would fail its checks today
    # (the service withdrawn since, say). Nearly every create is new, so this saves a statement per batch.
    repeats = [row["idempotency_key"] for row in rows.values() if row["idempotency_key"] not in inserted]
    earlier = _earlier_by_key(session, repeats + [news[position].idempotency_key for position in failed])
    for position, error in failed.items():
        answers[position] = earlier.get(news[position].idempotency_key, error)
    for position, row in rows.items():
        key = row["idempotency_key"]
        answers[position] = inserted[key] if key in inserted else earlier[key]
    return [answer for answer in answers if answer is not None]


def _earlier_by_key(session: Session, keys: Sequence[str | None]) -> dict[str | None, CreatedRequest]:
    wanted = {key for key in keys if key is not None}
    if not wanted:
        return {}
    statement = select(ServiceRequest.id, ServiceRequest.idempotency_key, ServiceRequest.expected_at).where(
        ServiceRequest.idempotency_key.in_(wanted)
    )
    return {key: CreatedRequest(id_, expected, False) for id_, key, expected in session.execute(statement)}


def _nearest_to_points(session: Session, news: Sequence[NewRequest]) -> dict[location.Point, location.Nearest | None]:
    """The nearest property to every point given inside the council's area, in one look-up for the batch."""
    area = location.council_area(session)
    points = [
        (new.latitude, new.longitude)
        for new in news
        if new.uprn is None and new.latitude is not None and new.longitude is not None
        if area is not None and area.contains(new.latitude, new.longitude)
    ]
    return location.nearest_properties(session, points)


def _new_row(
    session: Session,
    new: NewRequest,
    service: ServiceRules,
    now: datetime,
    known: Mapping[location.Point, location.Nearest | None],
) -> dict[str, Any]:
    """The `service_requests` row for a submission that passed every check (raises RequestProblems if not)."""
    place, answers = _checked(session, new, service, now, known)
    return {
        "service_id": service.id, "status": "open", "description": new.description.strip(),
        "latitude": place.latitude, "longitude": place.longitude, "address": place.address, "uprn": place.uprn,
        "ward_code": place.ward_code, "answers": answers, "media_url": new.media_url, "photo_file": new.photo_file,
        "source": new.source, "reporter_user_id": new.reporter_user_id, "contact_email": new.email,
        "contact_first_name": new.first_name, "contact_last_name": new.last_name, "contact_phone": new.phone,
        "device_id": new.device_id, "account_id": new.account_id, "client_token": new.client_token,
        "idempotency_key": new.idempotency_key, "team": service.team, "requested_at": now, "updated_at": now,
        "expected_at": expected_by(now, service.response_working_days), "assignee_user_id": None,
        "duplicate_of_id": None, "closed_at": None,
    }  # fmt: skip


def _insert_ignoring_repeats(session: Session, rows: list[dict[str, Any]]) -> dict[str | None, CreatedRequest]:
    """Insert every row whose idempotency key is not taken yet; returns the inserted ones by key."""
    if not rows:
        return {}
    table = table_of(ServiceRequest)
    returning = (table.c.id, table.c.idempotency_key)
    if session.get_bind().dialect.name == "postgresql":
        # One short statement whatever the batch size: each column as an array, unnested into rows. (A
        # multi-row VALUES list is a new, long SQL text per batch, which the driver parses on every call.)
        # A column empty in every row is left out, so it is NULL without an array being built and sent for it (no
        # column of the table has a server default): an Open311 create leaves about a third of them empty.
        columns = tuple(name for name in rows[0] if any(row[name] is not None for row in rows))
        arrays = array_parameters(table, columns, rows, session.get_bind().dialect)
        result = session.execute(_insert_from_arrays(columns), arrays)
    else:
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=[table.c.idempotency_key])
        result = session.execute(statement.returning(*returning), rows)
    expected = {row["idempotency_key"]: row["expected_at"] for row in rows}
    return {key: CreatedRequest(id_, expected[key], True) for id_, key in result}


@functools.cache
def _insert_from_arrays(columns: tuple[str, ...]) -> Any:
    """The batch's INSERT (`insert_from_arrays`), ignoring taken idempotency keys; the same for every batch."""
    table = table_of(ServiceRequest)
    ignoring = insert_from_arrays(table, columns).on_conflict_do_nothing(index_elements=[table.c.idempotency_key])
    return ignoring.returning(table.c.id, table.c.idempotency_key)


def request_by_reference(session: Session, *, reference: str) -> ServiceRequest:
    request_id = id_from_reference(reference)
    found = session.get(ServiceRequest, request_id) if request_id else None
    if found is None:
        raise NotFound(f"There is no service request {reference.strip()[:20]!r}. Check the reference and try again.")
    return found


def public_updates(session: Session, *, request_id: int) -> list[RequestUpdate]:
    """Updates in the order they happened (internal notes are on them too: show only `public_note`)."""
    statement = select(RequestUpdate).where(RequestUpdate.request_id == request_id).order_by(RequestUpdate.id)
    return list(session.scalars(statement))


def requests_of_resident(session: Session, *, user_id: int, limit: int = 100) -> list[ServiceRequest]:
    statement = (
        select(ServiceRequest)
        .where(ServiceRequest.reporter_user_id == user_id)
        .order_by(ServiceRequest.requested_at.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def own_request(session: Session, *, user_id: int, request_id: int) -> ServiceRequest:
    """A resident's own request; NotFound for anyone else's (never "forbidden", which would confirm it exists)."""
    found = session.scalar(
        select(ServiceRequest).where(ServiceRequest.id == request_id, ServiceRequest.reporter_user_id == user_id)
    )
    if found is None:
        raise NotFound("There is no such request among yours")
    return found
