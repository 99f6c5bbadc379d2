"""A resident's own account: linked council tax accounts. Every id in a URL is checked against the owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from townhall.identity import linking
from townhall.identity.access import client_address, requires
from townhall.identity.models import User
from townhall.identity.service import TooManyAttempts
from townhall.platform.errors import Conflict, InvalidInput
from townhall.web.deps import SessionDep, SettingsDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
Resident = Annotated[User, Depends(requires("resident"))]
LinkId = Annotated[int, Path(gt=0, lt=2**31)]


def verifier_of(request: Request) -> linking.AccountLinkVerifier:
    chosen: linking.AccountLinkVerifier = request.app.state.account_link_verifier
    return chosen


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, session: SessionDep, user: Resident) -> HTMLResponse:
    links = linking.links_of(session, user=user)
    return render(request, "identity/account.html", {"user": user, "links": links})


@router.get("/account/link", response_class=HTMLResponse)
def link_form(request: Request, user: Resident) -> HTMLResponse:
    return render(request, "identity/link.html", {"error": None, "field": "reference", "reference": "", "postcode": ""})


@router.post("/account/link", response_class=HTMLResponse)
def link_account(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Resident,
    # Generous limits: anything longer than a reference or postcode gets its message on the form, not a bare 422
    reference: Annotated[str, Form(max_length=1000)] = "",
    postcode: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        linking.link_council_tax_account(
            session, user=user, reference=reference, postcode=postcode, verifier=verifier_of(request),
            secret=settings.secret_key, client=client_address(request),
        )  # fmt: skip
    except (InvalidInput, Conflict, TooManyAttempts) as error:
        field = error.field if isinstance(error, linking.LinkProblem) else "reference"
        context = {"error": error.message, "field": field, "reference": reference[:40], "postcode": postcode[:40]}
        return render(request, "identity/link.html", context, status_code=error.status_code)
    return RedirectResponse("/account", status_code=303)


@router.get("/account/links/{link_id}", response_class=HTMLResponse)
def link_detail(request: Request, session: SessionDep, user: Resident, link_id: LinkId) -> HTMLResponse:
    link = linking.own_link(session, user=user, link_id=link_id)
    return render(request, "identity/link_detail.html", {"link": link})


@router.post("/account/links/{link_id}/remove")
def remove_link(session: SessionDep, user: Resident, link_id: LinkId) -> Response:
    linking.unlink(session, user=user, link_id=link_id)
    return RedirectResponse("/account", status_code=303)
