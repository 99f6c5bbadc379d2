"""Who is asking, and may they: the dependencies routes use to say what they need in one line.

    user: Annotated[User, Depends(requires("officer"))]          # a page or JSON route for officers
    caller: Annotated[Caller, Depends(api_requires("officer", scope="open311:write"))]   # user or API key
    _: Annotated[None, Depends(public)]                            # deliberately open to everyone

Pages: not signed in -> sent to the sign-in page; signed in without the role -> 403 "you do not have access".
API: no credentials -> 401; wrong role or scope -> 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from townhall.config import Settings
from townhall.identity.apikeys import Unauthenticated, authenticate_api_key
from townhall.identity.models import ApiKey, User
from townhall.identity.roles import check_role_names, require_role
from townhall.identity.service import actor_for
from townhall.identity.sessions import ResolvedSession, SessionLimits, SessionState, resolve_session
from townhall.platform.audit import Actor
from townhall.platform.errors import Forbidden
from townhall.web.deps import SessionDep, SettingsDep

SESSION_COOKIE = "th_session"
ROLES_MARKER = "__townhall_roles__"


class SignInRequired(Exception):
    """Raised for a page that needs a signed-in user when there is none: answered with the sign-in page."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("sign in required")
        self.expired = expired


async def public() -> None:
    """Declares a route open to everyone (the route-walk test accepts it as a deliberate choice)."""


def session_limits(settings: Settings) -> SessionLimits:
    return SessionLimits(
        idle=timedelta(minutes=settings.session_idle_minutes), absolute=timedelta(hours=settings.session_max_hours)
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _resolved(request: Request, session: Session, settings: Settings) -> ResolvedSession:
    cached: ResolvedSession | None = getattr(request.state, "identity", None)
    if cached is None:
        token = request.cookies.get(SESSION_COOKIE)
        cached = (
            resolve_session(session, token=token, limits=session_limits(settings))
            if token
            else ResolvedSession(SessionState.UNKNOWN)
        )
        request.state.identity = cached
    return cached


def current_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    """The signed-in user, or None."""
    return _resolved(request, session, settings).user


CurrentUser = Annotated[User | None, Depends(current_user)]


def requires(*roles: str) -> Callable[..., User]:
    """A dependency giving the signed-in user who has at least one of `roles` (for pages and JSON)."""
    check_role_names(list(roles))

    def signed_in_with_role(request: Request, session: SessionDep, settings: SettingsDep) -> User:
        resolved = _resolved(request, session, settings)
        if resolved.user is None:
            raise SignInRequired(expired=resolved.state is SessionState.EXPIRED)
        require_role(resolved.user, *roles)
        return resolved.user

    setattr(signed_in_with_role, ROLES_MARKER, roles)
    return signed_in_with_role


@dataclass(frozen=True, slots=True)
class Caller:
    """Who called an API route: a signed-in user or a machine client's key."""

    actor: Actor
    user: User | None = None
    api_key: ApiKey | None = None


def _raw_api_key(request: Request) -> str | None:
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("Send the API key as 'Authorization: Bearer <key>'")
        return value.strip()
    return request.headers.get("x-api-key")


def api_requires(*roles: str, scope: str | None = None) -> Callable[..., Caller]:
    """A dependency for JSON routes: a session cookie whose user has one of `roles`, or an API key with `scope`."""
    check_role_names(list(roles))

    def authenticated_caller(request: Request, session: SessionDep, settings: SettingsDep) -> Caller:
        raw = _raw_api_key(request)
        if raw is not None:
            if scope is None:
                raise Forbidden("API keys cannot be used here: sign in as a person")
            key = authenticate_api_key(session, raw, scope, client=client_address(request))
            return Caller(Actor("api_key", key.id), api_key=key)
        resolved = _resolved(request, session, settings)
        if resolved.user is None:
            expired = resolved.state is SessionState.EXPIRED
            raise Unauthenticated(
                "Your session has expired: sign in again" if expired else "Sign in or send an API key"
            )
        require_role(resolved.user, *roles)
        return Caller(actor_for(resolved.user), user=resolved.user)

    setattr(authenticated_caller, ROLES_MARKER, roles or (f"scope:{scope}",))
    return authenticated_caller


def declared_roles(call: Any) -> tuple[str, ...] | None:
    """The roles a dependency demands, if it is one of ours (for the route-walk test and docs)."""
    return getattr(call, ROLES_MARKER, None)
