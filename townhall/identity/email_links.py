"""The secrets in emailed links (a password reset, confirming a new account) and the words around them.

A link's token is random; only its SHA-256 is kept, so a copy of the database opens no one's link.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from townhall.config import Settings

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")  # secrets.token_urlsafe(32) is 43 of these


@dataclass(frozen=True, slots=True)
class EmailWording:
    """Where the emails' links point and whom they name (settings: TOWNHALL_PUBLIC_URL, the council's details)."""

    public_url: str
    council_name: str
    council_phone: str

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailWording:
        return cls(settings.public_url, settings.council_name, settings.council_phone)


def new_token() -> tuple[str, str]:
    """(the token for the link, the hash to keep)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    """Whether ``token`` could be one of ours, before it is looked up (anything else is simply not found)."""
    return bool(TOKEN_SHAPE.match(token))
