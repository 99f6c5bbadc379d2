"""Writing the audit log: one call per access, hash-chained, in the caller's transaction.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical form, so changing,
removing or reordering any entry breaks the chain from that point on (see `verify.py`).
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from townhall.db import table_of
from townhall.platform import clock
from townhall.platform.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from townhall.platform.bulk import array_parameters, insert_from_arrays
from townhall.platform.errors import InvalidInput

ActorType = Literal["user", "api_key", "system"]
HEAD_ID = 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a signed-in user, a machine client's API key, or the system itself (a command)."""

    type: ActorType
    id: int | None
    is_staff: bool = False


SYSTEM = Actor("system", None, is_staff=False)


CLIENT_LENGTH = 64  # audit_entries.client
# Where a command is run from ("cli root@council-app-1"), as the client of the entries it writes as the system:
# a web request's entries name its address, and a command's should say which operator ran it on which machine
_command_origin: ContextVar[str | None] = ContextVar("townhall_audit_command_origin", default=None)


def command_origin() -> str:
    """ "cli <login>@<host>" for this process: the operator's login name (the user id where it has none, as in
    some containers) and the machine's name, cut to fit the column."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name and no entry in the password database
        login = f"uid {os.getuid()}"
    return f"cli {login}@{socket.gethostname()}"[:CLIENT_LENGTH]


@contextmanager
def from_the_command_line(origin: str | None = None) -> Iterator[None]:
    """Within the block, entries the system writes without a client of their own name ``origin``
    (``command_origin()`` by default) as their client. The `townhall` command wraps each command in it."""
    token = _command_origin.set(origin or command_origin())
    try:
        yield
    finally:
        _command_origin.reset(token)


def _client_of(actor: Actor, client: str | None) -> str | None:
    if client is None and actor.type == "system":
        return _command_origin.get()
    return client


PURPOSE_LENGTH = 300  # audit_entries.purpose: PostgreSQL refuses a longer value, and with it the whole change


def fitted_purpose(text: str) -> str:
    """`text` on one line and at most `PURPOSE_LENGTH` characters (ending "..." when cut), for details a page or
    command writes from what it was given (a file's name can be long): the audit entry must never be the reason a
    change fails. Put the part that may be long (a file's name) last, so a cut loses only its end."""
    flat = " ".join(text.split())
    return flat if len(flat) <= PURPOSE_LENGTH else flat[: PURPOSE_LENGTH - 3] + "..."


def canonical_fields(fields: Sequence[str | int | None]) -> str:
    """The canonical form of an entry's fields, in the order of `canonical_form`'s arguments.

    A netstring per field (`len:value,`, and `-,` for none): unambiguous whatever characters a value holds.
    Written as one comprehension because `townhall audit verify` runs it for every entry; the output is pinned
    by a test with known hashes, since changing it would break every chain already written.
    """
    return "".join(["-," if value is None else f"{len(text := str(value))}:{text}," for value in fields])


def canonical_form(
    entry_id: int,
    occurred_at_us: int,
    actor_type: str,
    actor_id: int | None,
    action: str,
    subject_type: str | None,
    subject_id: str | None,
    purpose: str | None,
    client: str | None,
) -> str:
    """The one serialisation an entry is hashed in; the order of fields is part of the format."""
    return canonical_fields(
        (entry_id, occurred_at_us, actor_type, actor_id, action, subject_type, subject_id, purpose, client)
    )


def entry_hash(previous_hash: str, canonical: str) -> str:
    return hashlib.sha256(f"{previous_hash}|{canonical}".encode()).hexdigest()


def microseconds_since_epoch(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _take_next_id(session: Session, count: int = 1) -> tuple[int, str]:
    """Lock the chain head for this transaction and move it on by `count`: returns (the last of the new entries'
    ids, the hash of the entry before the first). One statement: the UPDATE takes the row lock on PostgreSQL and
    the write lock on SQLite before anything is read, so concurrent writers queue here and the chain cannot fork."""
    head = table_of(AuditChainHead)
    statement = (
        update(head)
        .where(head.c.id == HEAD_ID)
        .values(last_entry_id=head.c.last_entry_id + count)
        .returning(head.c.last_entry_id, head.c.last_hash)
    )
    row = session.execute(statement).one_or_none()
    if row is None:
        raise RuntimeError("the audit chain head is missing: run `townhall db upgrade`")
    return int(row[0]), str(row[1])


def record_access(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    purpose: str | None = None,
    client: str | None = None,
) -> int:
    """Append one entry to the audit log in the caller's transaction; returns its id.

    Staff touching a person's data must say why (`purpose`), or the access is refused. If this write fails,
    the transaction fails, and so does the access it records.
    """
    purpose = (purpose or "").strip() or None
    if actor.is_staff and subject_type is not None and purpose is None:
        raise InvalidInput("Say why you need this person's data (the purpose) before you can see it.")
    subject = None if subject_id is None else str(subject_id)
    client = _client_of(actor, client)
    occurred = microseconds_since_epoch(clock.now())
    entry_id, last_hash = _take_next_id(session)
    canonical = canonical_form(entry_id, occurred, actor.type, actor.id, action, subject_type, subject, purpose, client)
    digest = entry_hash(last_hash, canonical)
    new_entry = insert(table_of(AuditEntry)).values(
        id=entry_id, occurred_at_us=occurred, actor_type=actor.type, actor_id=actor.id, action=action,
        subject_type=subject_type, subject_id=subject, purpose=purpose, client=client,
        previous_hash=last_hash, entry_hash=digest,
    )  # fmt: skip
    head = table_of(AuditChainHead)
    move_head = update(head).where(head.c.id == HEAD_ID).values(last_hash=digest)
    if session.get_bind().dialect.name == "postgresql":
        # One round trip for both: the entry and the head's new hash (a data-modifying WITH).
        session.execute(move_head.add_cte(new_entry.cte("new_entry")))
    else:
        session.execute(new_entry)
        session.execute(move_head)
    return entry_id


@dataclass(frozen=True, slots=True)
class Access:
    """One access to record with `record_accesses` (the arguments of `record_access`)."""

    actor: Actor
    action: str
    subject_type: str | None = None
    subject_id: str | int | None = None
    purpose: str | None = None
    client: str | None = None


def _checked_fields(access: Access) -> tuple[str, int | None, str, str | None, str | None, str | None, str | None]:
    """(actor type, actor id, action, subject type, subject id, purpose, client), as `record_access` stores them."""
    purpose = (access.purpose or "").strip() or None
    if access.actor.is_staff and access.subject_type is not None and purpose is None:
        raise InvalidInput("Say why you need this person's data (the purpose) before you can see it.")
    subject = None if access.subject_id is None else str(access.subject_id)
    client = _client_of(access.actor, access.client)
    return access.actor.type, access.actor.id, access.action, access.subject_type, subject, purpose, client


def record_accesses(session: Session, accesses: Sequence[Access]) -> list[int]:
    """Append several entries, in order, in the caller's transaction; returns their ids.

    Exactly the entries `record_access` would write one by one (each its own id, hash and link to the one
    before; one time for the batch), with the chain head locked and moved once: N accesses cost three
    statements, not 2N, and hold the head's lock once.
    """
    if not accesses:
        return []
    fields = [_checked_fields(access) for access in accesses]
    occurred = microseconds_since_epoch(clock.now())
    last_id, previous = _take_next_id(session, len(fields))
    rows: list[dict[str, object]] = []
    for entry_id, (actor_type, actor_id, action, subject_type, subject, purpose, client) in enumerate(
        fields, start=last_id - len(fields) + 1
    ):
        canonical = canonical_form(
            entry_id, occurred, actor_type, actor_id, action, subject_type, subject, purpose, client
        )
        digest = entry_hash(previous, canonical)
        rows.append({"id": entry_id, "occurred_at_us": occurred, "actor_type": actor_type, "actor_id": actor_id,
                     "action": action, "subject_type": subject_type, "subject_id": subject, "purpose": purpose,
                     "client": client, "previous_hash": previous, "entry_hash": digest})  # fmt: skip
        previous = digest
    entries = table_of(AuditEntry)
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        # One round trip for the entries and the head's new hash, as `record_access` does for one entry.
        arrays = array_parameters(entries, ENTRY_COLUMNS, rows, dialect)
        session.execute(_append_from_arrays(), {**arrays, "new_last_hash": previous})
    else:
        session.execute(insert(entries), rows)
        head = table_of(AuditChainHead)
        session.execute(update(head).where(head.c.id == HEAD_ID).values(last_hash=previous))
    return [entry_id for entry_id in range(last_id - len(fields) + 1, last_id + 1)]


ENTRY_COLUMNS = ("id", "occurred_at_us", "actor_type", "actor_id", "action", "subject_type", "subject_id", "purpose",
                 "client", "previous_hash", "entry_hash")  # fmt: skip


@functools.cache
def _append_from_arrays() -> Any:
    """PostgreSQL: the batch's entries from one array per column and the head's new hash, in one statement (a
    data-modifying WITH), built once per process."""
    head = table_of(AuditChainHead)
    new_entries = insert_from_arrays(table_of(AuditEntry), ENTRY_COLUMNS).cte("new_entries")
    move_head = update(head).where(head.c.id == HEAD_ID).values(last_hash=bindparam("new_last_hash"))
    return move_head.add_cte(new_entries)


__all__ = [
    "GENESIS_HASH",
    "SYSTEM",
    "Access",
    "Actor",
    "canonical_fields",
    "canonical_form",
    "entry_hash",
    "record_access",
    "record_accesses",
]
