"""`/sign-in/oidc` and its callback: staff sign in with their work account (Microsoft Entra ID or another OIDC
provider). Local passwords stay the default; these routes answer 404 unless TOWNHALL_OIDC_* is configured.

`state`, `nonce` and the PKCE verifier live for ten minutes in a signed, HTTP-only cookie scoped to these
paths, and are used once: the callback clears the cookie whatever happens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from townhall.config import ConfigurationError, Settings
from townhall.identity.access import client_address, public, session_limits
from townhall.identity.cookies import set_session_cookie
from townhall.identity.oidc import OidcConfig, OidcProblem, OidcProvider, default_oidc_http
from townhall.identity.oidc_accounts import identity_from_claims, sign_in_with_oidc
from townhall.identity.sessions import start_session
from townhall.platform.errors import NotFound
from townhall.web.csrf import cookie_is_secure
from townhall.web.deps import SessionDep, SettingsDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
Public = Annotated[None, Depends(public)]
STATE_COOKIE = "th_oidc"
STATE_PATH = "/sign-in/oidc"
STATE_SECONDS = 600
STALE = "This sign-in has expired or did not start on this site. Start again from the sign-in page."


def oidc_provider(request: Request) -> OidcProvider:
    """The app's provider client, built once (it caches discovery and keys); tests put a fake one in place."""
    provider: OidcProvider | None = getattr(request.app.state, "oidc_provider", None)
    settings: Settings = request.app.state.settings
    if not settings.oidc_enabled:
        raise NotFound("Signing in with a work account is not set up here. Sign in with your email and password.")
    if provider is None:
        try:
            provider = OidcProvider(OidcConfig.from_settings(settings), default_oidc_http())
        except ConfigurationError as error:
            raise OidcProblem(f"Signing in with a work account is not set up correctly: {error}") from error
        request.app.state.oidc_provider = provider
    return provider


Provider = Annotated[OidcProvider, Depends(oidc_provider)]


def _signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), f"oidc-state:{payload}".encode(), hashlib.sha256).hexdigest()


def seal_state(secret: str, values: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(values | {"e": int(time.time()) + STATE_SECONDS}).encode()).decode()
    return f"{payload}.{_signature(secret, payload)}"


def open_state(secret: str, sealed: str | None) -> dict[str, Any]:
    """The values sealed into the cookie, if its signature holds and it has not expired; OidcProblem otherwise."""
    payload, _, signature = (sealed or "").partition(".")
    if not payload or not hmac.compare_digest(signature, _signature(secret, payload)):
        raise OidcProblem(STALE)
    values: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload))
    if int(values.get("e", 0)) < time.time():
        raise OidcProblem(STALE)
    return values


def _problem_page(request: Request, error: OidcProblem) -> Response:
    response = render(request, "identity/oidc_problem.html", {"message": error.message}, status_code=error.status_code)
    response.delete_cookie(STATE_COOKIE, path=STATE_PATH)
    return response


@router.get("/sign-in/oidc")
def start_oidc_sign_in(
    request: Request, _: Public, settings: SettingsDep, provider: Provider, next: str = ""
) -> Response:
    from townhall.identity.pages import safe_next

    try:
        chosen = provider.authorisation_request(
            state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), code_verifier=secrets.token_urlsafe(64)
        )
    except OidcProblem as error:
        return _problem_page(request, error)
    sealed = seal_state(settings.secret_key, {"s": chosen.state, "n": chosen.nonce, "v": chosen.code_verifier,
                                              "x": safe_next(next)})  # fmt: skip
    response = RedirectResponse(chosen.url, status_code=303)
    response.set_cookie(
        STATE_COOKIE, sealed, max_age=STATE_SECONDS, path=STATE_PATH, httponly=True, samesite="lax",
        secure=cookie_is_secure(settings, scheme=request.url.scheme, host=request.url.hostname),
    )  # fmt: skip
    return response


@router.get("/sign-in/oidc/callback", response_class=HTMLResponse)
def finish_oidc_sign_in(
    request: Request, _: Public, session: SessionDep, settings: SettingsDep, provider: Provider,
    code: str = "", state: str = "", error: str = "",
) -> Response:  # fmt: skip
    from townhall.identity.pages import landing_page

    try:
        if error:
            raise OidcProblem("The sign-in was cancelled or refused by your organisation's sign-in service.")
        kept = open_state(settings.secret_key, request.cookies.get(STATE_COOKIE))
        if not state or not hmac.compare_digest(state, str(kept["s"])) or not code:
            raise OidcProblem(STALE)
        id_token = provider.exchange_code(code=code[:4096], code_verifier=str(kept["v"]))
        claims = provider.validated_claims(id_token, nonce=str(kept["n"]))
        identity = identity_from_claims(claims, roles_claim=provider.config.roles_claim)
        user = sign_in_with_oidc(session, identity=identity, role_map=provider.config.role_map,
                                 client=client_address(request))  # fmt: skip
    except OidcProblem as problem:
        return _problem_page(request, problem)  # committed: a refused sign-in stays in the audit log
    token = start_session(session, user=user, limits=session_limits(settings))
    response = RedirectResponse(str(kept.get("x") or "") or landing_page(user), status_code=303)
    response.delete_cookie(STATE_COOKIE, path=STATE_PATH)
    set_session_cookie(response, request, settings, token)
    return response
