"""Sign-in sessions kept in the database: a random token in the cookie, its hash here, idle and absolute expiry."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from townhall.identity.models import LoginSession, User
from townhall.identity.timeutil import as_utc, utc_now

TOUCH_EVERY = timedelta(seconds=60)  # record activity at most once a minute: no write on every request


class SessionState(Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True, slots=True)
class ResolvedSession:
    state: SessionState
    user: User | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, *, user: User, limits: SessionLimits) -> str:
    """A new session for `user`; returns the token for the cookie (shown nowhere else, stored only as a hash)."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    session.add(
        LoginSession(
            token_hash=hash_token(token), user_id=user.id, created_at=now, last_seen_at=now,
            expires_at=now + limits.absolute,
        )
    )  # fmt: skip
    session.flush()
    return token


def resolve_session(session: Session, *, token: str, limits: SessionLimits) -> ResolvedSession:
    """The user a cookie's token belongs to, if the session is still active; expired sessions are deleted."""
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == hash_token(token)))
    if row is None:
        return ResolvedSession(SessionState.UNKNOWN)
    now = utc_now()
    if now >= as_utc(row.expires_at) or now - as_utc(row.last_seen_at) >= limits.idle or not row.user.is_active:
        session.delete(row)
        return ResolvedSession(SessionState.EXPIRED)
    if now - as_utc(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = now
    return ResolvedSession(SessionState.ACTIVE, row.user)


def end_session(session: Session, *, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == hash_token(token)))


def end_all_sessions(session: Session, *, user_id: int) -> None:
    """Sign a user out everywhere (after their password is reset: whoever knew the old one is signed out too)."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
