"""Forgotten password: ask for a link by email, then choose a new password at the link. Served with sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import HTMLResponse, Response

from townhall.identity import password_reset
from townhall.identity.access import client_address, public
from townhall.identity.email_links import EmailWording
from townhall.identity.service import TooManyAttempts
from townhall.platform.errors import InvalidInput
from townhall.web.deps import SessionDep, SettingsDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
Public = Annotated[None, Depends(public)]
NO_STORE = {"Cache-Control": "no-store"}  # a page whose address holds a secret: no copy kept anywhere


@router.get("/password-reset", response_class=HTMLResponse)
def ask_for_link_form(request: Request, _: Public) -> HTMLResponse:
    return render(request, "identity/password_reset.html", {"error": None, "email": ""})


@router.post("/password-reset", response_class=HTMLResponse)
def ask_for_link(
    request: Request,
    _: Public,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
) -> HTMLResponse:
    try:
        password_reset.request_reset_link(
            session, email=email, client=client_address(request), secret=settings.secret_key,
            wording=EmailWording.from_settings(settings),
        )  # fmt: skip
    except (InvalidInput, TooManyAttempts) as error:
        context = {"error": error.message, "email": email}
        return render(request, "identity/password_reset.html", context, status_code=error.status_code)
    return render(request, "identity/password_reset_sent.html", {"email": email.strip()})


def _expired(request: Request, error: password_reset.ResetLinkExpired) -> HTMLResponse:
    page = render(request, "identity/password_reset_expired.html", {"message": error.message}, error.status_code)
    page.headers.update(NO_STORE)
    return page


@router.get("/password-reset/{token}", response_class=HTMLResponse)
def choose_password_form(request: Request, _: Public, session: SessionDep, token: str) -> Response:
    try:
        password_reset.usable_link(session, token=token)
    except password_reset.ResetLinkExpired as error:
        return _expired(request, error)
    page = render(request, "identity/password_reset_choose.html", {"error": None, "field": "password", "token": token})
    page.headers.update(NO_STORE)
    return page


@router.post("/password-reset/{token}", response_class=HTMLResponse)
def choose_password(
    request: Request,
    _: Public,
    session: SessionDep,
    settings: SettingsDep,
    token: str,
    password: Annotated[str, Form(max_length=1000)] = "",
    confirm: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    new = password_reset.NewPassword(token, password, confirm, client_address(request), settings.secret_key)
    try:
        password_reset.reset_password(session, new=new, wording=EmailWording.from_settings(settings))
    except password_reset.ResetLinkExpired as error:
        return _expired(request, error)
    except InvalidInput as error:
        field = "confirm" if isinstance(error, password_reset.PasswordMismatch) else "password"
        context = {"error": error.message, "field": field, "token": token}
        page = render(request, "identity/password_reset_choose.html", context, status_code=422)
        page.headers.update(NO_STORE)
        return page
    return render(request, "identity/password_reset_done.html")
