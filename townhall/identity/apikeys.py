"""API keys for machine clients: created once (the key is shown then and never again), scoped, revocable.

A key is `th_<prefix>_<secret>`. The prefix finds the row; the SHA-256 of the whole key proves it. (A fast
hash is right here: keys are 256 random bits, not passwords a person chose.)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.identity.models import ApiKey
from townhall.identity.timeutil import as_utc, utc_now
from townhall.platform.audit import SYSTEM, Access, Actor, record_access
from townhall.platform.errors import Conflict, NotFound, TownhallError

KEY_FORMAT = re.compile(r"^th_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$")
SCOPE_FORMAT = re.compile(r"^[a-z0-9_]+:[a-z0-9_]+$")
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Unauthenticated(TownhallError):
    status_code = 401


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: ApiKey
    raw: str  # show once


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(session: Session, *, name: str, scopes: list[str], actor: Actor = SYSTEM) -> CreatedKey:
    name = name.strip()
    if not name or len(name) > 100:
        raise Conflict("Give the key a name of 1 to 100 characters")
    bad = [scope for scope in scopes if not SCOPE_FORMAT.match(scope)]
    if bad or not scopes:
        raise Conflict(
            f"Scopes look like 'open311:write'; not {bad[0]!r}" if bad else "Give the key at least one scope"
        )
    if session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
        raise Conflict(f"There is already an API key called {name!r}")
    prefix = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(12))
    raw = f"th_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name, prefix=prefix, key_hash=_hash(raw), scopes=" ".join(sorted(set(scopes))), created_at=utc_now()
    )
    session.add(key)
    session.flush()
    record_access(session, actor=actor, action="create_api_key", subject_type="api_key", subject_id=key.id)
    return CreatedKey(key, raw)


def revoke_api_key(session: Session, *, name: str, actor: Actor = SYSTEM) -> ApiKey:
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise NotFound(f"There is no API key called {name!r}")
    if key.revoked_at is None:
        key.revoked_at = utc_now()
        record_access(session, actor=actor, action="revoke_api_key", subject_type="api_key", subject_id=key.id)
    return key


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def verify_api_key(session: Session, raw_key: str, scope: str) -> ApiKey:
    """The key, if it is well formed, known, not revoked and has `scope`; reads only, writes nothing.

    Unauthenticated (401) for a malformed, unknown or revoked key; Forbidden (403) for a missing scope. A caller
    that verifies must call `record_api_key_use` in the same transaction (as `authenticate_api_key` does).
    """
    from townhall.platform.errors import Forbidden

    match = KEY_FORMAT.match(raw_key.strip())
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == match.group(1))) if match else None
    if key is None or not hmac.compare_digest(key.key_hash, _hash(raw_key.strip())):
        raise Unauthenticated("The API key is not valid. Check it was copied in full.")
    if key.revoked_at is not None:
        raise Unauthenticated("This API key has been revoked. Ask the council for a new one.")
    if scope not in key.scope_set:
        raise Forbidden(f"This API key does not allow {scope}")
    return key


def record_api_key_use(session: Session, key: ApiKey, scope: str, *, client: str | None = None) -> None:
    """Audit one use of `key`, and note when it was last used (to the minute).

    Both writes take locks held until the transaction ends (the key's row, the audit chain's head), so a busy
    route calls this as its LAST statement before committing: one client's requests then queue only for the
    commit, not for each other's whole work. `last_used_at` is written at most once a minute for the same reason.
    """
    note_api_key_used(session, key)
    record_access(session, actor=Actor("api_key", key.id), action=f"api:{scope}", client=client)


def note_api_key_used(session: Session, key: ApiKey) -> None:
    """`last_used_at`, written at most once a minute (so busy clients do not queue on the key's row)."""
    now = utc_now()
    if key.last_used_at is None or now - as_utc(key.last_used_at) >= LAST_USED_RESOLUTION:
        key.last_used_at = now
        session.flush()


def api_key_use(key: ApiKey, scope: str, *, client: str | None = None) -> Access:
    """The audit entry for one use of `key`: what `record_api_key_use` writes, for `record_accesses` in a batch."""
    return Access(actor=Actor("api_key", key.id), action=f"api:{scope}", client=client)


def authenticate_api_key(session: Session, raw_key: str, scope: str, *, client: str | None = None) -> ApiKey:
    """The key, if it is well formed, known, not revoked and has `scope`; every use is audited.

    Unauthenticated (401) for a malformed, unknown or revoked key; Forbidden (403) for a missing scope.
    """
    key = verify_api_key(session, raw_key, scope)
    record_api_key_use(session, key, scope, client=client)
    return key
