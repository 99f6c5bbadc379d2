"""Failed sign-ins counted per account and per client address, in the database so every worker sees them."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from townhall.identity.models import SignInFailure
from townhall.identity.timeutil import utc_now

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_CLIENT = 20


def limiter_key(secret: str, kind: str, value: str) -> str:
    """A keyed hash, so the table never holds an email or an address."""
    return hmac.new(secret.encode(), f"{kind}:{value.strip().lower()}".encode(), hashlib.sha256).hexdigest()


def failures_since(session: Session, *, key: str) -> int:
    since = utc_now() - WINDOW
    count = session.scalar(
        select(func.count()).select_from(SignInFailure).where(SignInFailure.key == key, SignInFailure.failed_at > since)
    )
    return int(count or 0)


def is_limited(session: Session, *, keys: dict[str, int]) -> bool:
    """Whether any key (with its own limit) has had too many failures in the window."""
    return any(failures_since(session, key=key) >= limit for key, limit in keys.items())


def record_failure(session: Session, *, keys: list[str]) -> None:
    now = utc_now()
    session.execute(insert(SignInFailure), [{"key": key, "failed_at": now} for key in keys])
    # Old failures only slow the count down; drop them as we go.
    session.execute(delete(SignInFailure).where(SignInFailure.failed_at < now - 2 * WINDOW))


def clear_failures(session: Session, *, key: str) -> None:
    session.execute(delete(SignInFailure).where(SignInFailure.key == key))
