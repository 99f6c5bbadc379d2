"""Cross-site request forgery protection for every form, by one mechanism: a signed double-submit token.

A random `th_csrf` cookie (HTTP-only, SameSite) is given to every browser that has none. Forms carry
`HMAC(secret_key, cookie)` in a hidden `csrf_token` field, written by `{{ csrf_input() }}` in templates. The
app-wide dependency `verify_csrf` checks it on every POST/PUT/PATCH/DELETE, so a new form is covered without
doing anything. The cookie is replaced at sign-in and sign-out, so a token never outlives a session.

Not checked: requests that authenticate with an API key in a header (a browser cannot add one cross-site) and
paths under `CSRF_EXEMPT_PREFIXES` (Open311 clients send `api_key` as a form field, never a cookie).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

from fastapi import Request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from townhall.config import Settings
from townhall.platform.errors import Forbidden

CSRF_COOKIE = "th_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_EXEMPT_PREFIXES: tuple[str, ...] = ("/open311/",)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
FAILED = "This form has expired or did not come from this site. Go back, refresh the page and try again."


def cookie_is_secure(settings: Settings, *, scheme: str, host: str | None) -> bool:
    """Secure cookies everywhere except plain http on loopback (and the test client) outside production."""
    if settings.environment == "production" or scheme != "http":
        return True
    local = LOOPBACK_HOSTS | ({"testserver"} if settings.environment == "test" else set())
    return host not in local


def csrf_token_for(secret: str, cookie: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{cookie}".encode(), hashlib.sha256).hexdigest()


def new_csrf_cookie_header(settings: Settings, *, scheme: str, host: str | None) -> tuple[str, str]:
    """A fresh cookie value and its Set-Cookie header value."""
    value = secrets.token_urlsafe(32)
    cookie: SimpleCookie = SimpleCookie()
    cookie[CSRF_COOKIE] = value
    morsel = cookie[CSRF_COOKIE]
    morsel["path"], morsel["httponly"], morsel["samesite"] = "/", True, "Lax"
    if cookie_is_secure(settings, scheme=scheme, host=host):
        morsel["secure"] = True
    return value, cookie.output(header="").strip()


class CsrfCookieMiddleware:
    """Makes sure every browser has a `th_csrf` cookie, and tells templates its value (request.state)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if scope.get("path", "").startswith(CSRF_EXEMPT_PREFIXES):
            # Machine clients (Open311) send no cookies and submit no forms of ours: no cookie to give. An empty
            # value keeps templates working (an error page) and never verifies (`verify_csrf` needs a cookie).
            state["csrf_cookie"] = ""
            await self.app(scope, receive, send)
            return
        existing = Request(scope).cookies.get(CSRF_COOKIE)
        if existing:
            state["csrf_cookie"] = existing
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").decode().rsplit(":", 1)[0].strip("[]")
        value, header = new_csrf_cookie_header(self.settings, scheme=scope.get("scheme", "http"), host=host)
        state["csrf_cookie"] = value

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", header.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: refuse an unsafe request whose form token does not match the browser's cookie."""
    if request.method in SAFE_METHODS or request.url.path.startswith(CSRF_EXEMPT_PREFIXES):
        return
    if "authorization" in request.headers or "x-api-key" in request.headers:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    cookie = request.cookies.get(CSRF_COOKIE)
    if request.headers.get("content-type", "").startswith("application/json") and sent is None:
        return  # a cross-site page cannot send JSON without a CORS preflight, which Townhall never grants
    settings: Settings = request.app.state.settings
    if not cookie or not sent or not hmac.compare_digest(sent, csrf_token_for(settings.secret_key, cookie)):
        raise Forbidden(FAILED)


@pass_context
def csrf_input(context: Context) -> Markup:
    """`{{ csrf_input() }}` inside every <form method="post">."""
    request: Request = context["request"]
    settings: Settings = request.app.state.settings
    token = csrf_token_for(settings.secret_key, request.state.csrf_cookie)
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">')  # noqa: S704 - hex digest only
