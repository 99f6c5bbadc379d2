"""The officers' queue (role `officer`) and the notification outbox (role `admin`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from sqlalchemy import select
from starlette.responses import HTMLResponse, RedirectResponse

from townhall.identity.access import client_address, requires
from townhall.identity.models import User, UserRole
from townhall.places.models import Ward
from townhall.platform.errors import InvalidInput
from townhall.platform.numbers import MAX_ID, whole_number
from townhall.service_requests import workflow
from townhall.service_requests.catalogue import answers_in_words, list_services
from townhall.service_requests.notifications import error_without_address, hidden_address, recent_messages
from townhall.service_requests.pages import render_page
from townhall.service_requests.service import public_updates
from townhall.service_requests.statuses import STATUS_NAMES
from townhall.web.deps import SessionDep

router = APIRouter(include_in_schema=False)
Officer = Annotated[User, Depends(requires("officer"))]
RequestId = Annotated[int, Path(gt=0, lt=2**31)]


def _officers(session: SessionDep) -> list[User]:
    return list(session.scalars(select(User).join(UserRole).where(UserRole.role == "officer").order_by(User.email)))


@router.get("/officer/requests", response_class=HTMLResponse)
def officer_queue(request: Request, session: SessionDep, user: Officer) -> HTMLResponse:
    params = request.query_params
    assignee = params.get("assignee", "")
    filters = workflow.QueueFilter(
        service_code=params.get("service", "")[:40], status=params.get("status", "")[:30],
        ward_code=params.get("ward", "")[:12], team=params.get("team", "")[:60],
        assignee_id=whole_number(assignee, maximum=MAX_ID), overdue_only=params.get("overdue") == "yes",
    )  # fmt: skip
    found = workflow.queue(session, officer=user, filters=filters)
    services = list_services(session, active_only=False)
    context = {
        "requests": found, "filters": filters, "services": services, "names": STATUS_NAMES,
        "wards": list(session.scalars(select(Ward).order_by(Ward.name))), "teams": sorted({s.team for s in services}),
        "officers": _officers(session), "is_overdue": workflow.is_overdue,
    }  # fmt: skip
    return render_page(request, "service_requests/queue.html", context)


def _detail(request: Request, session: SessionDep, user: User, request_id: int, **extra: object) -> HTMLResponse:
    found = workflow.shown_to_officer(session, officer=user, request_id=request_id, client=client_address(request))
    context = {
        "found": found, "answers": answers_in_words(found.service, found.answers),
        "updates": public_updates(session, request_id=found.id), "names": STATUS_NAMES,
        "duplicates": workflow.likely_duplicates(session, officer=user, request_id=found.id),
        "officers": _officers(session), "overdue": workflow.is_overdue(found), "contact": None, "error": None,
        "notes": {},
    }  # fmt: skip
    context.update(extra)
    return render_page(
        request, "service_requests/officer_request.html", context, status_code=422 if extra.get("error") else 200
    )


@router.get("/officer/requests/{request_id}", response_class=HTMLResponse)
def officer_request(request: Request, session: SessionDep, user: Officer, request_id: RequestId) -> HTMLResponse:
    return _detail(request, session, user, request_id)


def _back(request_id: int) -> RedirectResponse:
    return RedirectResponse(f"/officer/requests/{request_id}", status_code=303)


# Longer than a note may be (workflow.MAX_NOTE), so the workflow's check answers on the page, keeping the note.
NoteText = Annotated[str, Form(max_length=100_000)]


@router.post("/officer/requests/{request_id}/status", response_model=None)
def officer_status(
    request: Request, session: SessionDep, user: Officer, request_id: RequestId,
    status: Annotated[str, Form(max_length=30)], public_note: NoteText = "", internal_note: NoteText = "",
) -> HTMLResponse | RedirectResponse:  # fmt: skip
    try:
        workflow.change_status(
            session, officer=user, request_id=request_id, status=status, public_note=public_note,
            internal_note=internal_note,
        )  # fmt: skip
    except InvalidInput as error:  # the page again, with what was typed, so a long note is not lost
        notes = {"public_note": public_note, "internal_note": internal_note}
        return _detail(request, session, user, request_id, error=error.message, first_field="public_note", notes=notes)
    return _back(request_id)


def _assignee(session: SessionDep, chosen: str) -> User | None:
    """The user picked in the list, or None for "Nobody". Anything else is refused: read as "Nobody", a mistyped
    or tampered value would quietly take the request away from its officer."""
    if not chosen:
        return None
    number = whole_number(chosen, maximum=MAX_ID)
    found = session.get(User, number) if number is not None else None
    if found is None:
        raise InvalidInput("Choose an officer from the list, or Nobody")
    return found


@router.post("/officer/requests/{request_id}/assign", response_model=None)
def officer_assign(
    session: SessionDep, user: Officer, request_id: RequestId, assignee: Annotated[str, Form(max_length=12)] = ""
) -> RedirectResponse:
    chosen = _assignee(session, assignee)
    workflow.assign(session, officer=user, request_id=request_id, assignee=chosen)
    return _back(request_id)


@router.post("/officer/requests/{request_id}/merge", response_model=None)
def officer_merge(
    session: SessionDep, user: Officer, request_id: RequestId, original: Annotated[int, Form(gt=0, lt=2**31)]
) -> RedirectResponse:
    workflow.merge_duplicate(session, officer=user, duplicate_id=request_id, original_id=original)
    return _back(request_id)


@router.post("/officer/requests/{request_id}/contact", response_class=HTMLResponse)
def officer_contact(
    request: Request, session: SessionDep, user: Officer, request_id: RequestId,
    purpose: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:  # fmt: skip
    if not purpose.strip():
        return _detail(request, session, user, request_id, error="Say why you need the reporter's contact details")
    contact = workflow.reporter_contact(
        session, officer=user, request_id=request_id, purpose=purpose, client=client_address(request)
    )
    return _detail(request, session, user, request_id, contact=contact)


@router.get("/admin/notifications", response_class=HTMLResponse)
def notification_outbox(
    request: Request, session: SessionDep, user: Annotated[User, Depends(requires("admin"))]
) -> HTMLResponse:
    context = {
        "messages": recent_messages(session),
        "hidden_address": hidden_address,
        "error_of": error_without_address,
    }
    return render_page(request, "service_requests/outbox.html", context)
