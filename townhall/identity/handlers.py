"""How identity's errors are answered: sign-in redirects for pages, 401 with a challenge for the API."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response

from townhall.identity.access import SignInRequired
from townhall.identity.apikeys import Unauthenticated
from townhall.identity.cookies import clear_session_cookie
from townhall.web.errors import error_response, wants_json

EXPIRED = "Your session has expired because you were inactive or signed in too long ago. Sign in again."


async def _sign_in_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    settings = request.app.state.settings
    if wants_json(request):
        response = error_response(request, 401, EXPIRED if error.expired else "Sign in or send an API key")
        response.headers["www-authenticate"] = "Bearer"
    elif error.expired:
        # To the sign-in page, saying why, and back to the page afterwards (for a form sent, the page it was on)
        back = request.url.path if request.method in ("GET", "HEAD") else _same_site_referrer(request)
        response = RedirectResponse(f"/sign-in?next={quote(back)}&expired=1", status_code=303)
    else:
        response = RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)
    if error.expired:
        clear_session_cookie(response, request, settings)
    return response


def _same_site_referrer(request: Request) -> str:
    """The path of the page a form was sent from, when it is on this site; else the home page."""
    referrer = urlsplit(request.headers.get("referer", ""))
    return referrer.path or "/" if referrer.netloc == request.url.netloc else "/"


async def _unauthenticated(request: Request, error: Exception) -> Response:
    assert isinstance(error, Unauthenticated)
    response = error_response(request, 401, error.message)
    response.headers["www-authenticate"] = "Bearer"
    return response


def install_identity_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(Unauthenticated, _unauthenticated)
