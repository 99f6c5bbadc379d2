"""The audit log for information governance officers: search by person, user, action and dates; export CSV.

Searches are POSTed (a person's id never goes in a web address); searching for a person and exporting are
themselves audited, with the purpose the officer gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response, StreamingResponse

from townhall.identity.access import client_address, requires
from townhall.identity.models import User
from townhall.identity.service import actor_for, user_by_email
from townhall.platform.audit import record_access
from townhall.platform.audit.models import AuditEntry
from townhall.platform.audit.search import AuditQuery, entries_as_csv, occurred_at, search_entries
from townhall.platform.errors import InvalidInput
from townhall.platform.numbers import whole_number
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
IgOfficer = Annotated[User, Depends(requires("ig_officer"))]
Text = Annotated[str, Form(max_length=300)]


def _date(value: str, label: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{label} must be a date like 2026-11-01") from None


def _actor(session: Session, text: str) -> int | None:
    """The user a search is for, by email address (as an officer knows them) or user number; None for anyone."""
    text = text.strip()
    if not text:
        return None
    if "@" in text:
        found = user_by_email(session, email=text)
        if found is None:
            raise InvalidInput(f"There is no user with the email address {text}")
        return found.id
    number = whole_number(text)
    if number is None:
        raise InvalidInput("User must be an email address, like jo.bloggs@council.example, or a user number, like 42")
    return number


def _query(
    session: Session, subject_type: str, subject_id: str, actor_id: str, action: str, since: str, until: str
) -> AuditQuery:
    actor = _actor(session, actor_id)
    return AuditQuery(
        subject_type=subject_type.strip() or None, subject_id=subject_id.strip() or None,
        actor_type="user" if actor is not None else None, actor_id=actor,
        action=action.strip() or None, since=_date(since, "From"), until=_date(until, "To"),
    )  # fmt: skip


def _emails(session: Session, entries: Sequence[AuditEntry]) -> dict[int, str]:
    """Each acting user's email address, so the results say who, not only a number (one query for the page)."""
    ids = {entry.actor_id for entry in entries if entry.actor_type == "user" and entry.actor_id is not None}
    if not ids:
        return {}
    return {user_id: email for user_id, email in session.execute(select(User.id, User.email).where(User.id.in_(ids)))}


@router.get("/audit", response_class=HTMLResponse)
def audit_form(request: Request, user: IgOfficer) -> HTMLResponse:
    return render(request, "identity/audit.html", {"form": {}, "entries": None, "error": None})


@router.post("/audit", response_class=HTMLResponse)
def audit_search(
    request: Request, session: SessionDep, user: IgOfficer, subject_type: Text = "", subject_id: Text = "",
    actor_id: Text = "", action: Text = "", since: Text = "", until: Text = "", purpose: Text = "",
) -> Response:  # fmt: skip
    form = {"subject_type": subject_type, "subject_id": subject_id, "actor_id": actor_id, "action": action,
            "since": since, "until": until, "purpose": purpose}  # fmt: skip
    try:
        query = _query(session, subject_type, subject_id, actor_id, action, since, until)
        record_access(session, actor=actor_for(user), action="search_audit_log", subject_type=query.subject_type,
                      subject_id=query.subject_id, purpose=purpose, client=client_address(request))  # fmt: skip
    except InvalidInput as error:
        return render(request, "identity/audit.html", {"form": form, "entries": None, "error": error.message}, 422)
    entries = search_entries(session, query=query)
    context = {"form": form, "entries": entries, "error": None, "occurred_at": occurred_at,
               "emails": _emails(session, entries)}  # fmt: skip
    return render(request, "identity/audit.html", context)


@router.post("/audit/export")
def audit_export(
    request: Request, session: SessionDep, user: IgOfficer, subject_type: Text = "", subject_id: Text = "",
    actor_id: Text = "", action: Text = "", since: Text = "", until: Text = "", purpose: Text = "",
) -> Response:  # fmt: skip
    query = _query(session, subject_type, subject_id, actor_id, action, since, until)
    record_access(session, actor=actor_for(user), action="export_audit_log", subject_type=query.subject_type,
                  subject_id=query.subject_id, purpose=purpose, client=client_address(request))  # fmt: skip
    body = "".join(entries_as_csv(session, query=query))  # read inside the request's transaction
    return StreamingResponse(
        iter([body]), media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="audit-log.csv"'},
    )  # fmt: skip
