"""Setting and clearing the sign-in cookies on a response (Secure, HTTP-only, SameSite)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from townhall.config import Settings
from townhall.identity.access import SESSION_COOKIE
from townhall.web.csrf import CSRF_COOKIE, cookie_is_secure, new_csrf_cookie_header


def _secure(request: Request, settings: Settings) -> bool:
    return cookie_is_secure(settings, scheme=request.url.scheme, host=request.url.hostname)


def set_session_cookie(response: Response, request: Request, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.session_max_hours * 3600, path="/", httponly=True,
        samesite="lax", secure=_secure(request, settings),
    )  # fmt: skip
    rotate_csrf_cookie(response, request, settings)


def clear_session_cookie(response: Response, request: Request, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request, settings))
    rotate_csrf_cookie(response, request, settings)


def rotate_csrf_cookie(response: Response, request: Request, settings: Settings) -> None:
    """A new CSRF cookie whenever who is signed in changes, so old form tokens stop working."""
    _, header = new_csrf_cookie_header(settings, scheme=request.url.scheme, host=request.url.hostname)
    response.headers.append("set-cookie", header)


__all__ = ["CSRF_COOKIE", "clear_session_cookie", "rotate_csrf_cookie", "set_session_cookie"]
