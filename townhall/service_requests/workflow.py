"""The officers' queue: filter, assign, change status with public and internal notes, find and merge duplicates,
and see a reporter's contact details for a recorded purpose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.identity.models import User
from townhall.identity.roles import require_role
from townhall.identity.service import actor_for
from townhall.platform import clock
from townhall.platform.audit import record_access
from townhall.platform.errors import Conflict, InvalidInput, NotFound
from townhall.service_requests.location import distance_metres
from townhall.service_requests.models import RequestUpdate, Service, ServiceRequest
from townhall.service_requests.notifications import queue_status_notification
from townhall.service_requests.statuses import CLOSED_STATUSES, OPEN_STATUSES, STATUS_NAMES

DUPLICATE_RADIUS_METRES = 50.0
DUPLICATE_DAYS = 14
METRES_PER_DEGREE_LATITUDE = 111_320.0
MAX_NOTE = 4000
QUEUE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class QueueFilter:
    service_code: str = ""
    status: str = ""  # one of our statuses, or "" for every open one
    ward_code: str = ""
    team: str = ""
    assignee_id: int | None = None
    overdue_only: bool = False


def queue(session: Session, *, officer: User, filters: QueueFilter) -> list[ServiceRequest]:
    """Requests for the queue, oldest due first; open ones unless a status is chosen."""
    require_role(officer, "officer")
    statement = select(ServiceRequest).join(Service)
    if filters.status:
        if filters.status not in STATUS_NAMES:
            raise InvalidInput(f"Choose a status from the list, not {filters.status!r}")
        statement = statement.where(ServiceRequest.status == filters.status)
    else:
        statement = statement.where(ServiceRequest.status.in_(OPEN_STATUSES))
    if filters.service_code:
        statement = statement.where(Service.code == filters.service_code)
    if filters.ward_code:
        statement = statement.where(ServiceRequest.ward_code == filters.ward_code)
    if filters.team:
        statement = statement.where(ServiceRequest.team == filters.team)
    if filters.assignee_id is not None:
        statement = statement.where(ServiceRequest.assignee_user_id == filters.assignee_id)
    if filters.overdue_only:
        statement = statement.where(ServiceRequest.expected_at < clock.now())
    statement = statement.order_by(ServiceRequest.expected_at, ServiceRequest.id).limit(QUEUE_LIMIT)
    return list(session.scalars(statement))


def is_overdue(request: ServiceRequest) -> bool:
    return request.status in OPEN_STATUSES and request.expected_at < clock.now()


def staff_request(session: Session, *, officer: User, request_id: int) -> ServiceRequest:
    require_role(officer, "officer")
    found = session.get(ServiceRequest, request_id)
    if found is None:
        raise NotFound(f"There is no service request with id {request_id}")
    return found


# An officer's role is this purpose: handling reports is what the request page is for
CASEWORK_PURPOSE = "Casework: handle the report"


def shown_to_officer(session: Session, *, officer: User, request_id: int, client: str | None) -> ServiceRequest:
    """The request, for its page, audited: the page shows the full location (for some services a home) and the
    reporter's own words, which may be about themselves. The contact details are audited apart, with a reason."""
    found = staff_request(session, officer=officer, request_id=request_id)
    record_access(session, actor=actor_for(officer), action="view_service_request", subject_type="service_request",
                  subject_id=found.id, purpose=CASEWORK_PURPOSE, client=client)  # fmt: skip
    return found


def change_status(
    session: Session, *, officer: User, request_id: int, status: str, public_note: str = "", internal_note: str = ""
) -> RequestUpdate:
    """Record the change and queue the reporter's notification in the same transaction (sent after it)."""
    request = staff_request(session, officer=officer, request_id=request_id)
    if status not in STATUS_NAMES:
        raise InvalidInput(f"Choose a status from the list, not {status!r}")
    if len(public_note) > MAX_NOTE or len(internal_note) > MAX_NOTE:
        raise InvalidInput(f"Notes must be {MAX_NOTE:,} characters or fewer")
    return _record_update(session, request, officer, status, public_note.strip(), internal_note.strip())


def _record_update(
    session: Session, request: ServiceRequest, officer: User | None, status: str, public_note: str, internal: str
) -> RequestUpdate:
    now = clock.now()
    changed = status != request.status
    request.status = status
    request.updated_at = now
    if status in CLOSED_STATUSES:
        request.closed_at = request.closed_at or now
    else:
        request.closed_at = None
    update = RequestUpdate(
        request_id=request.id, status=status, public_note=public_note, internal_note=internal,
        actor_user_id=officer.id if officer else None, created_at=now,
    )  # fmt: skip
    session.add(update)
    session.flush()
    if changed or public_note:
        queue_status_notification(session, request=request, note=public_note)
    return update


def assign(session: Session, *, officer: User, request_id: int, assignee: User | None) -> ServiceRequest:
    """Give the request to ``assignee`` (None: to nobody), kept in its history as an internal note saying who
    moved it from whom to whom (never published: the status and the public note are unchanged)."""
    request = staff_request(session, officer=officer, request_id=request_id)
    if assignee is not None and "officer" not in assignee.roles:
        raise InvalidInput("Requests can only be assigned to officers")
    before = session.get(User, request.assignee_user_id) if request.assignee_user_id is not None else None
    if (before.id if before else None) == (assignee.id if assignee else None):
        return request  # nothing changes, so nothing to record
    request.assignee_user_id = assignee.id if assignee else None
    moved = f"Assigned to {_staff_name(assignee)}" if assignee else "Unassigned"
    _record_update(session, request, officer, request.status, "", f"{moved} (was {_staff_name(before)})")
    return request


def _staff_name(user: User | None) -> str:
    if user is None:
        return "nobody"
    return user.display_name or user.email


def likely_duplicates(session: Session, *, officer: User, request_id: int) -> list[tuple[ServiceRequest, float]]:
    """Same service, within 50 metres, made in the 14 days before it, not itself closed as a duplicate.

    A bounding box in SQL narrows the candidates on the latitude index; the haversine distance decides.
    """
    request = staff_request(session, officer=officer, request_id=request_id)
    lat_box = DUPLICATE_RADIUS_METRES / METRES_PER_DEGREE_LATITUDE
    lon_box = lat_box / max(0.01, _cos_degrees(request.latitude))
    since = request.requested_at - timedelta(days=DUPLICATE_DAYS)
    candidates = session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.latitude.between(request.latitude - lat_box, request.latitude + lat_box))
        .where(ServiceRequest.longitude.between(request.longitude - lon_box, request.longitude + lon_box))
        .where(ServiceRequest.service_id == request.service_id, ServiceRequest.id != request.id)
        .where(ServiceRequest.requested_at.between(since, request.requested_at + timedelta(days=DUPLICATE_DAYS)))
        .where(ServiceRequest.status != "duplicate")
    )
    near = []
    for candidate in candidates:
        metres = distance_metres(request.latitude, request.longitude, candidate.latitude, candidate.longitude)
        if metres <= DUPLICATE_RADIUS_METRES:
            near.append((candidate, round(metres, 1)))
    return sorted(near, key=lambda pair: (pair[1], pair[0].id))


def _cos_degrees(degrees: float) -> float:
    import math

    return math.cos(math.radians(degrees))


def merge_duplicate(session: Session, *, officer: User, duplicate_id: int, original_id: int) -> RequestUpdate:
    """Close `duplicate_id` as a duplicate pointing at `original_id` (which stays as it is)."""
    if duplicate_id == original_id:
        raise InvalidInput("A request cannot be a duplicate of itself")
    duplicate = staff_request(session, officer=officer, request_id=duplicate_id)
    original = staff_request(session, officer=officer, request_id=original_id)
    if original.duplicate_of_id is not None:
        raise Conflict(f"{original.reference} is itself a duplicate: merge into {original.duplicate_of_id} instead")
    duplicate.duplicate_of_id = original.id
    note = f"This problem has already been reported as {original.reference}; we will update that report."
    return _record_update(session, duplicate, officer, "duplicate", note, f"Merged into {original.reference}")


@dataclass(frozen=True, slots=True)
class ContactDetails:
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None


def reporter_contact(
    session: Session, *, officer: User, request_id: int, purpose: str, client: str | None
) -> ContactDetails:
    """The reporter's contact details, for a purpose written to the audit log with the access."""
    request = staff_request(session, officer=officer, request_id=request_id)
    if not purpose.strip():
        raise InvalidInput("Say why you need the reporter's contact details")
    record_access(
        session, actor=actor_for(officer), action="view_reporter_contact", subject_type="service_request",
        subject_id=request.id, purpose=purpose.strip()[:200], client=client,
    )  # fmt: skip
    return ContactDetails(
        request.contact_first_name, request.contact_last_name, request.contact_email, request.contact_phone
    )
