"""Staff pages for the single view: a household across services, a linked person with the evidence, officers'
link decisions, and the ingestion quarantine.

Nothing is shown until the member of staff gives a purpose, and only sources whose contract allows that purpose
appear; each view is written to the audit log with the purpose (in the service functions). Purposes and ids are
POSTed, never put in a web address beyond the record's own id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from townhall.datahub import service
from townhall.datahub.models import IngestBatch
from townhall.identity.access import client_address, requires
from townhall.identity.models import User
from townhall.identity.service import actor_for
from townhall.places.pages import AddressPicker, PostcodeForm, address_picker_page
from townhall.platform.audit import record_access
from townhall.platform.errors import TownhallError
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
# Who may see the single view: early-help practitioners, and information governance (checking and correcting links).
Practitioner = Annotated[User, Depends(requires("early_help", "ig_officer"))]
IgOfficer = Annotated[User, Depends(requires("ig_officer"))]
HouseholdId = Annotated[str, Path(pattern=r"^H\d{1,12}$", description="H followed by the home's UPRN")]
PersonId = Annotated[str, Path(pattern=r"^[A-Z]{1,4}\d{1,12}$")]
Text = Annotated[str, Form(max_length=300)]

FIND_HOUSEHOLD = AddressPicker(
    "Find a household", "Find the household at an address to see which services are involved.",
    "/datahub/households", "/datahub/households/H",
)  # fmt: skip


def known_purposes(session: Session) -> list[str]:
    """Every purpose some ingested source allows, for the purpose list on the forms."""
    purposes: set[str] = set()
    for contract in session.scalars(select(IngestBatch.contract)):
        purposes.update(contract.get("purposes", []))
    return sorted(purposes)


@router.get("/datahub/households", response_class=HTMLResponse)
def find_household_form(request: Request, session: SessionDep, user: Practitioner) -> HTMLResponse:
    return address_picker_page(request, session, FIND_HOUSEHOLD)


@router.post("/datahub/households", response_class=HTMLResponse)
def find_household(
    request: Request, session: SessionDep, user: Practitioner, postcode: PostcodeForm = ""
) -> HTMLResponse:
    return address_picker_page(request, session, FIND_HOUSEHOLD, postcode)


def _purpose_form(
    request: Request, session: Session, *, kind: str, subject: str, error: str | None = None
) -> HTMLResponse:
    context = {"kind": kind, "subject": subject, "purposes": known_purposes(session), "error": error}
    return render(request, "datahub/purpose.html", context, status_code=422 if error else 200)


@router.get("/datahub/households/{household_id}", response_class=HTMLResponse)
def household_purpose(
    request: Request, session: SessionDep, user: Practitioner, household_id: HouseholdId
) -> HTMLResponse:
    return _purpose_form(request, session, kind="households", subject=household_id)


def _view_with_purpose(
    request: Request, session: Session, *, kind: str, subject: str, template: str, show: Callable[[], BaseModel]
) -> HTMLResponse:
    """The view `show` builds (and audits), or the purpose form again with the reason it was refused."""
    try:
        view = show()
    except TownhallError as error:
        if error.status_code == 404:
            raise
        return _purpose_form(request, session, kind=kind, subject=subject, error=error.message)
    return render(request, template, {"view": view})


@router.post("/datahub/households/{household_id}", response_class=HTMLResponse)
def household_page(
    request: Request, session: SessionDep, user: Practitioner, household_id: HouseholdId, purpose: Text = ""
) -> HTMLResponse:
    def show() -> BaseModel:
        return service.household_view(session, household_id=household_id, purpose=purpose,
                                      viewer=actor_for(user), client=client_address(request))  # fmt: skip

    return _view_with_purpose(request, session, kind="households", subject=household_id,
                              template="datahub/household.html", show=show)  # fmt: skip


@router.get("/datahub/people/{person_id}", response_class=HTMLResponse)
def person_purpose(request: Request, session: SessionDep, user: Practitioner, person_id: PersonId) -> HTMLResponse:
    return _purpose_form(request, session, kind="people", subject=person_id)


@router.post("/datahub/people/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request, session: SessionDep, user: Practitioner, person_id: PersonId, purpose: Text = ""
) -> HTMLResponse:
    def show() -> BaseModel:
        return service.person_view(session, person_id=person_id, purpose=purpose,
                                   viewer=actor_for(user), client=client_address(request))  # fmt: skip

    return _view_with_purpose(request, session, kind="people", subject=person_id,
                              template="datahub/person.html", show=show)  # fmt: skip


@router.post("/datahub/decisions", response_class=HTMLResponse)
def record_decision(
    request: Request,
    session: SessionDep,
    user: Practitioner,
    record_a: Text = "",
    record_b: Text = "",
    same_person: Text = "",
    reason: Text = "",
) -> HTMLResponse:
    """An officer's challenge of a link (or a missed link); the next linkage run respects it."""
    if same_person not in ("yes", "no"):
        return render(request, "datahub/decided.html", {"error": "Say whether they are the same person"}, 422)
    decided = service.record_officer_decision(
        session, record_a=record_a, record_b=record_b, same_person=same_person == "yes", reason=reason,
        decided_by=user.email, viewer=actor_for(user), client=client_address(request),
    )  # fmt: skip
    return render(request, "datahub/decided.html", {"decided": decided, "error": None})


@router.get("/datahub/quarantine", response_class=HTMLResponse)
def quarantine_page(request: Request, session: SessionDep, user: IgOfficer) -> HTMLResponse:
    """Rows that failed their source's contract, with the reason (counts and reasons; raw rows only in the export)."""
    rows = service.quarantined_rows(session, limit=200)
    return render(request, "datahub/quarantine.html", {"rows": rows})


@router.post("/datahub/quarantine.csv")
def quarantine_export(request: Request, session: SessionDep, user: IgOfficer, purpose: Text = "") -> Response:
    """The quarantined rows as CSV; they hold personal data, so the export needs a purpose and is audited."""
    record_access(session, actor=actor_for(user), action="export_quarantine", subject_type="datahub_quarantine",
                  subject_id="all", purpose=purpose, client=client_address(request))  # fmt: skip
    body = service.quarantine_csv(session)
    headers = {"Content-Disposition": 'attachment; filename="datahub-quarantine.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
