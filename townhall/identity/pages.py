"""Sign in, sign out and register. The email and password are always POSTed: never in a web address."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from townhall.config import Settings
from townhall.identity import registration, service
from townhall.identity.access import SESSION_COOKIE, CurrentUser, client_address, public, requires, session_limits
from townhall.identity.cookies import clear_session_cookie, set_session_cookie
from townhall.identity.email_links import EmailWording
from townhall.identity.models import User
from townhall.identity.roles import ROLES, is_staff
from townhall.identity.sessions import end_session, start_session
from townhall.identity.staff_tools import tools_for
from townhall.platform.errors import Conflict, InvalidInput
from townhall.web.deps import SessionDep, SettingsDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
Public = Annotated[None, Depends(public)]
SignedIn = Annotated[User, Depends(requires(*ROLES))]


def safe_next(next_path: str) -> str:
    """Only a path on this site: never an open redirect to another one."""
    ok = next_path.startswith("/") and not next_path.startswith(("//", "/\\"))
    return next_path if ok else ""


def landing_page(user: User) -> str:
    return "/staff" if is_staff(user) else "/account"


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, _: Public, user: CurrentUser, next: str = "", expired: str = "") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next) or landing_page(user), status_code=303)
    context = {"error": None, "email": "", "next": safe_next(next), "expired": expired == "1"}
    return render(request, "identity/sign_in.html", context)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    _: Public,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    attempt = service.SignInAttempt(email, password, client_address(request), settings.secret_key)
    try:
        user = service.sign_in(session, attempt=attempt)
    except (InvalidInput, service.TooManyAttempts) as error:
        context = {"error": error.message, "email": email, "next": safe_next(next)}
        status = 429 if isinstance(error, service.TooManyAttempts) else 401
        return render(request, "identity/sign_in.html", context, status_code=status)
    token = start_session(session, user=user, limits=session_limits(settings))
    response = RedirectResponse(safe_next(next) or landing_page(user), status_code=303)
    set_session_cookie(response, request, settings, token)
    return response


@router.post("/sign-out")
def sign_out(request: Request, _: Public, session: SessionDep, settings: SettingsDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        end_session(session, token=token)
    response = render(request, "identity/signed_out.html")
    clear_session_cookie(response, request, settings)
    return response


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, _: Public) -> HTMLResponse:
    return render(request, "identity/register.html", {"error": None, "field": "email", "email": ""})


@router.post("/register", response_class=HTMLResponse)
def register(
    request: Request,
    _: Public,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    confirm: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Check the form and send the email; the same answer whether or not the address has an account."""
    wording = EmailWording.from_settings(settings)
    try:
        sent = registration.start_registration(
            session, email=email, password=password, confirm=confirm, client=client_address(request),
            secret=settings.secret_key, wording=wording,
        )  # fmt: skip
    except (InvalidInput, service.TooManyAttempts) as error:
        context = {"error": error.message, "field": _field_of(error), "email": email}
        return render(request, "identity/register.html", context, status_code=error.status_code)
    demo = shows_emails(settings)
    sent_context: dict[str, object] = {
        "email": sent.recipient,
        "demo_email": sent if demo else None,
        "demo_link": _link_on_this_site(sent.body, settings) if demo else None,
    }
    return render(request, "identity/register_sent.html", sent_context)


def _link_on_this_site(body: str, settings: Settings) -> str | None:
    """The confirmation link in an email, as a path on this site (a demo may be served at another address than
    TOWNHALL_PUBLIC_URL); None when the email has none (the address has an account already)."""
    start = body.find(f"{settings.public_url}/register/confirm/")
    if start < 0:
        return None
    return body[start:].split()[0].removeprefix(settings.public_url)


def _field_of(error: Exception) -> str:
    """The form field an error is about, for the message beside it."""
    if isinstance(error, registration.PasswordMismatch):
        return "confirm"
    return "password" if isinstance(error, registration.PasswordProblem) else "email"


def shows_emails(settings: Settings) -> bool:
    """Whether pages show the email they have just queued: only a demo or development site, which sends none
    (the outbox notifier), so the journey can be followed there. Never in production."""
    return settings.environment != "production" and settings.notifier == "outbox"


@router.get("/register/confirm/{token}", response_class=HTMLResponse)
def confirm_form(request: Request, _: Public, session: SessionDep, token: str) -> Response:
    """A button to press: opening the link alone changes nothing (mail scanners open links)."""
    try:
        pending = registration.pending_registration(session, token=token)
    except registration.RegistrationLinkExpired as error:
        return _no_store(render(request, "identity/register_expired.html", {"message": error.message}, 404))
    return _no_store(render(request, "identity/register_confirm.html", {"email": pending.email, "token": token}))


@router.post("/register/confirm/{token}", response_class=HTMLResponse)
def confirm(request: Request, _: Public, session: SessionDep, settings: SettingsDep, token: str) -> Response:
    try:
        user = registration.confirm_registration(session, token=token)
    except registration.RegistrationLinkExpired as error:
        return _no_store(render(request, "identity/register_expired.html", {"message": error.message}, 404))
    except Conflict as error:
        return _no_store(render(request, "identity/register_expired.html", {"message": error.message}, 409))
    session_token = start_session(session, user=user, limits=session_limits(settings))
    response = RedirectResponse("/account", status_code=303)
    set_session_cookie(response, request, settings, session_token)
    return response


def _no_store(page: HTMLResponse) -> HTMLResponse:
    page.headers["Cache-Control"] = "no-store"  # the address holds a secret: no copy kept anywhere
    return page


@router.get("/staff", response_class=HTMLResponse)
def staff_home(request: Request, user: Annotated[User, Depends(requires(*(set(ROLES) - {"resident"})))]) -> Response:
    return render(request, "identity/staff.html", {"user": user, "roles": ROLES, "tools": tools_for(user.roles)})


def _include_other_sign_in_routes() -> None:
    # Staff OIDC sign-in and the forgotten-password pages live in their own modules; their routes are served with
    # these sign-in pages.
    from townhall.identity import oidc_pages, password_reset_pages

    router.include_router(oidc_pages.router)
    router.include_router(password_reset_pages.router)


_include_other_sign_in_routes()
