"""Staff pages for the single view: a household across services, a linked person with the evidence, and
officers' link decisions (the ingestion quarantine is in `quarantine_pages.py`).

Nothing is shown until the member of staff gives a purpose, and only sources that may be used for it, under the
contracts in the deployment's source registry today, appear; each view is written to the audit log with the
purpose (in the service functions). Purposes and ids are POSTed, never put in a web address beyond the record's
own id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse

from townhall.datahub import service
from townhall.datahub.service.views import Registry
from townhall.identity.access import client_address, requires
from townhall.identity.models import User
from townhall.identity.service import actor_for
from townhall.places.pages import AddressPicker, PostcodeForm, address_picker_page
from townhall.platform.errors import NotFound, TownhallError
from townhall.web.deps import SessionDep, SettingsDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
# Who may see the single view: early-help practitioners, and information governance (checking and correcting links).
Practitioner = Annotated[User, Depends(requires("early_help", "ig_officer"))]
# Ids are checked in the route, so a mistyped one gets a sentence, not a pattern
PathId = Annotated[str, Path(max_length=40)]
HOUSEHOLD_ID = re.compile(r"^H\d{1,12}$")
PERSON_ID = re.compile(r"^[A-Z]{1,4}\d{1,12}$")
Text = Annotated[str, Form(max_length=300)]
# Free text is checked by the service, with a message by its field; this only bounds what a request may carry
LongText = Annotated[str, Form(max_length=20_000)]
# The fields of the decision forms, in the order they appear (for the error summary)
DECISION_FIELDS = ("record_a", "record_b", "reason")

FIND_HOUSEHOLD = AddressPicker(
    "Find a household", "Find the household at an address to see which services are involved.",
    "/datahub/households", "/datahub/households/H",
)  # fmt: skip


def source_registry(settings: SettingsDep) -> Registry:
    """The deployment's source contracts as they are now (read on each request, so a change applies at once)."""
    return service.source_registry(settings.datahub_sources)


RegistryDep = Annotated[Registry, Depends(source_registry)]


def _household_id(household_id: str) -> str:
    if not HOUSEHOLD_ID.match(household_id):
        raise NotFound(
            f"There is no household '{household_id}'. A household's id is H followed by the home's UPRN, "
            "for example H100090000001."
        )
    return household_id


def _person_id(person_id: str) -> str:
    if not PERSON_ID.match(person_id):
        raise NotFound(
            f"There is no person '{person_id}'. A person's id is capital letters followed by digits, "
            "for example TH00000042."
        )
    return person_id


@router.get("/datahub/households", response_class=HTMLResponse)
def find_household_form(request: Request, session: SessionDep, user: Practitioner) -> HTMLResponse:
    return address_picker_page(request, session, FIND_HOUSEHOLD)


@router.post("/datahub/households", response_class=HTMLResponse)
def find_household(
    request: Request, session: SessionDep, user: Practitioner, postcode: PostcodeForm = ""
) -> HTMLResponse:
    return address_picker_page(request, session, FIND_HOUSEHOLD, postcode)


def _purpose_form(
    request: Request, session: Session, registry: Registry, *, kind: str, subject: str, error: str | None = None
) -> HTMLResponse:
    purposes = service.usable_purposes(session, registry=registry)
    context = {"kind": kind, "subject": subject, "purposes": purposes, "error": error}
    return render(request, "datahub/purpose.html", context, status_code=422 if error else 200)


@router.get("/datahub/households/{household_id}", response_class=HTMLResponse)
def household_purpose(
    request: Request, session: SessionDep, user: Practitioner, registry: RegistryDep, household_id: PathId
) -> HTMLResponse:
    return _purpose_form(request, session, registry, kind="households", subject=_household_id(household_id))


def _view_with_purpose(
    request: Request,
    session: Session,
    registry: Registry,
    *,
    kind: str,
    subject: str,
    template: str,
    show: Callable[[], BaseModel],
    extra: Mapping[str, object] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The view `show` builds (and audits), or the purpose form again with the reason it was refused."""
    try:
        view = show()
    except TownhallError as error:
        if error.status_code == 404:
            raise
        return _purpose_form(request, session, registry, kind=kind, subject=subject, error=error.message)
    return render(request, template, {"view": view, **(extra or {})}, status_code=status_code)


@router.post("/datahub/households/{household_id}", response_class=HTMLResponse)
def household_page(
    request: Request,
    session: SessionDep,
    user: Practitioner,
    registry: RegistryDep,
    household_id: PathId,
    purpose: Text = "",
) -> HTMLResponse:
    household_id = _household_id(household_id)

    def show() -> BaseModel:
        return service.household_view(session, household_id=household_id, purpose=purpose, registry=registry,
                                      viewer=actor_for(user), client=client_address(request))  # fmt: skip

    return _view_with_purpose(request, session, registry, kind="households", subject=household_id,
                              template="datahub/household.html", show=show)  # fmt: skip


@router.get("/datahub/people/{person_id}", response_class=HTMLResponse)
def person_purpose(
    request: Request, session: SessionDep, user: Practitioner, registry: RegistryDep, person_id: PathId
) -> HTMLResponse:
    return _purpose_form(request, session, registry, kind="people", subject=_person_id(person_id))


def _person_page(
    request: Request,
    session: Session,
    registry: Registry,
    user: User,
    *,
    person_id: str,
    purpose: str,
    form: str | None = None,
    values: dict[str, str] | None = None,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The person's page; after a refused decision, with the form (`split` or `merge`) as the officer filled it
    and the messages by field (`<form>-<field>`)."""

    def show() -> BaseModel:
        return service.person_view(session, person_id=person_id, purpose=purpose, registry=registry,
                                   viewer=actor_for(user), client=client_address(request))  # fmt: skip

    extra = {"form": form, "values": values or {}, "errors": errors or [], "messages": dict(errors or [])}
    return _view_with_purpose(request, session, registry, kind="people", subject=person_id,
                              template="datahub/person.html", show=show, extra=extra,
                              status_code=status_code)  # fmt: skip


@router.post("/datahub/people/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request,
    session: SessionDep,
    user: Practitioner,
    registry: RegistryDep,
    person_id: PathId,
    purpose: Text = "",
) -> HTMLResponse:
    return _person_page(request, session, registry, user, person_id=_person_id(person_id), purpose=purpose)


@router.post("/datahub/decisions", response_class=HTMLResponse)
def record_decision(
    request: Request,
    session: SessionDep,
    user: Practitioner,
    registry: RegistryDep,
    person_id: Text = "",
    purpose: Text = "",
    record_a: LongText = "",
    record_b: LongText = "",
    same_person: Text = "",
    reason: LongText = "",
) -> HTMLResponse:
    """An officer's challenge of a link, or a missed link, made from a person's page for the purpose given there;
    the next linkage run respects it. A refused decision shows the person's page again with the messages."""
    form = {"yes": "merge", "no": "split"}.get(same_person)
    if form is None or not PERSON_ID.match(person_id) or not purpose.strip():
        message = "Record a decision from a person's page: open the person, give your purpose, then use its forms."
        return render(request, "datahub/decided.html", {"error": message}, 422)
    try:
        decided = service.record_officer_decision(
            session, record_a=record_a, record_b=record_b, same_person=same_person == "yes", reason=reason,
            decided_by=user.email, purpose=purpose, registry=registry, viewer=actor_for(user),
            client=client_address(request), person_id=person_id,
        )  # fmt: skip
    except (service.DecisionRefused, service.ContradictingDecision) as refused:
        errors = [
            (f"{form}-{field}", refused.problems[field]) for field in DECISION_FIELDS if field in refused.problems
        ]
        values = {"record_a": record_a, "record_b": record_b, "reason": reason}
        return _person_page(request, session, registry, user, person_id=person_id, purpose=purpose, form=form,
                            values=values, errors=errors, status_code=refused.status_code)  # fmt: skip
    except TownhallError as error:  # the purpose no longer allows any source: ask for it again
        if error.status_code == 404:
            raise
        return _purpose_form(request, session, registry, kind="people", subject=person_id, error=error.message)
    context = {"decided": decided, "error": None, "person_id": person_id, "purpose": purpose}
    return render(request, "datahub/decided.html", context)
