"""Who a validated OIDC identity is in Townhall: a staff user with the roles the provider's groups map to.

The provider is the source of truth for staff roles: every sign-in sets the user's roles to what the roles
claim maps to now, so someone removed from a group loses the role at their next sign-in. No mapped role, no
sign-in. Users are found by the provider's subject (`sub`), never by email alone: an existing account with
the same email is linked only if it was created for OIDC (`townhall users create --no-password`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.identity.models import User, UserRole
from townhall.identity.service import actor_for, create_user, normalise_email, user_by_email
from townhall.platform.audit import SYSTEM, record_access
from townhall.platform.errors import InvalidInput

NO_ROLE = (
    "Your work account signed in, but it is not in a group that may use Townhall. "
    "Ask your manager or the council's IT service desk to add you to the right group."
)


@dataclass(frozen=True, slots=True)
class OidcIdentity:
    subject: str
    email: str
    display_name: str
    claimed_roles: tuple[str, ...]


def identity_from_claims(claims: dict[str, Any], *, roles_claim: str) -> OidcIdentity:
    """The parts of validated ID token claims Townhall uses (Entra ID: `preferred_username` when no `email`)."""
    from townhall.identity.oidc import OidcRefused

    raw_roles = claims.get(roles_claim) or []
    if isinstance(raw_roles, str):
        raw_roles = [raw_roles]
    email = str(claims.get("email") or claims.get("preferred_username") or "")
    try:
        address = normalise_email(email)
    except InvalidInput:
        raise OidcRefused("Your work account has no email address, so it cannot be used to sign in here.") from None
    name = str(claims.get("name") or address.split("@")[0])[:100]
    return OidcIdentity(str(claims["sub"]), address, name, tuple(str(role) for role in raw_roles))


def mapped_roles(identity: OidcIdentity, role_map: dict[str, str]) -> set[str]:
    return {role_map[value] for value in identity.claimed_roles if value in role_map}


def _set_roles(session: Session, user: User, roles: set[str]) -> None:
    current = user.roles
    if current == roles:
        return
    user.role_rows[:] = [row for row in user.role_rows if row.role in roles]
    user.role_rows.extend(UserRole(role=role) for role in sorted(roles - current))
    session.flush()
    record_access(session, actor=SYSTEM, action="oidc_roles_changed", subject_type="user", subject_id=user.id,
                  purpose=f"roles from the identity provider: {', '.join(sorted(roles))}")  # fmt: skip


def _account_for(session: Session, identity: OidcIdentity, roles: set[str]) -> User:
    from townhall.identity.oidc import OidcRefused

    user = session.scalar(select(User).where(User.oidc_subject == identity.subject))
    if user is not None:
        return user
    user = user_by_email(session, email=identity.email)
    if user is None:
        user = create_user(session, email=identity.email, password=None, roles=sorted(roles),
                           display_name=identity.display_name)  # fmt: skip
    elif user.password_hash is not None or user.oidc_subject is not None:
        # Never take over an account that signs in another way because an email matches.
        raise OidcRefused(
            "There is already an account with your email address that signs in with a password. "
            "Ask an administrator to set up your work account for sign-in with Microsoft."
        )
    user.oidc_subject = identity.subject
    return user


def sign_in_with_oidc(session: Session, *, identity: OidcIdentity, role_map: dict[str, str], client: str) -> User:
    """The staff user for a validated identity, created or updated; OidcRefused when no role maps or disabled."""
    from townhall.identity.oidc import OidcRefused

    roles = mapped_roles(identity, role_map)
    if not roles:
        record_access(session, actor=SYSTEM, action="oidc_sign_in_refused", client=client)
        raise OidcRefused(NO_ROLE)
    user = _account_for(session, identity, roles)
    if not user.is_active:
        raise OidcRefused("Your Townhall account has been switched off. Ask an administrator.")
    _set_roles(session, user, roles)
    if user.email != identity.email and user_by_email(session, email=identity.email) is None:
        user.email = identity.email
    user.display_name = identity.display_name
    session.flush()
    record_access(session, actor=actor_for(user), action="sign_in_oidc", client=client)
    return user


__all__ = ["NO_ROLE", "OidcIdentity", "identity_from_claims", "mapped_roles", "sign_in_with_oidc"]
