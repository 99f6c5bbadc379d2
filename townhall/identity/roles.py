"""The roles, what each may do, and the one check service code makes: `require_role(user, "officer")`."""

from __future__ import annotations

from typing import Protocol

from townhall.platform.errors import Forbidden, InvalidInput

ROLES: dict[str, str] = {
    "resident": "their own account, linked council tax accounts and requests",
    "officer": "service requests: the queue, assigning, updating and closing",
    "contact_centre": "assistant hand-offs and conversation transcripts",
    "early_help": "households flagged for possible early support, with the reasons, and decisions",
    "ig_officer": "information governance: the audit log (search and export), subject access, erasure",
    "analyst": "aggregate data and dashboards only: never one person's records",
    "admin": "users, roles and API keys: not personal data unless also given a role that allows it",
}
STAFF_ROLES = frozenset(ROLES) - {"resident"}


class HasRoles(Protocol):
    @property
    def roles(self) -> frozenset[str]: ...


def is_staff(user: HasRoles) -> bool:
    return bool(user.roles & STAFF_ROLES)


def check_role_names(roles: tuple[str, ...] | list[str]) -> None:
    """Raise InvalidInput naming the roles there are, for a role name that is not one of them."""
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise InvalidInput(f"There is no role called {unknown[0]!r}: the roles are {', '.join(ROLES)}")


def require_role(user: HasRoles, *roles: str) -> None:
    """Raise Forbidden unless the user has at least one of `roles`."""
    if not user.roles & set(roles):
        raise Forbidden("You do not have access to this. Ask your manager if you need it for your work.")
