"""Checking the audit log: recompute every entry's hash in order and say exactly where the chain breaks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from townhall.platform.audit.chain import HEAD_ID, canonical_fields, canonical_form, entry_hash
from townhall.platform.audit.models import GENESIS_HASH, AuditChainHead

STREAM_BATCH = 20_000


@dataclass(frozen=True, slots=True)
class ChainProblem:
    entry_id: int | None
    what: str


@dataclass
class VerifyReport:
    entries: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


COLUMNS = (
    "id, occurred_at_us, actor_type, actor_id, action, subject_type, subject_id, purpose, client, "
    "previous_hash, entry_hash"
)


def _rows(connection: Connection) -> Iterator[list[tuple[Any, ...]]]:
    """Every entry in id order, in batches of plain tuples, straight from the DB-API cursor.

    SQLAlchemy's Row objects cost more than the hashing; a server-side (named) cursor on PostgreSQL and
    `fetchmany` on SQLite keep memory flat for any size of log. Same connection, so same transaction.
    """
    driver: Any = connection.connection.driver_connection
    query = f"SELECT {COLUMNS} FROM audit_entries ORDER BY id"  # noqa: S608 - constant text, no input
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name="townhall_audit_verify")
        cursor.itersize = STREAM_BATCH
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(query)
        while batch := cursor.fetchmany(STREAM_BATCH):
            yield batch
    finally:
        cursor.close()


MISSING = "entries {first} to {last} are missing"
UNLINKED = "does not follow the entry before it (previous hash differs): an entry was removed or reordered"
CHANGED = "was changed after it was written (its hash does not match its content)"


def _problems_of(row: tuple[Any, ...], *, expected_id: int, previous: str) -> list[ChainProblem]:
    entry_id, prev, stored = row[0], row[9], row[10]
    found = []
    if entry_id != expected_id:
        found.append(ChainProblem(entry_id, MISSING.format(first=expected_id, last=entry_id - 1)))
    elif prev != previous:
        found.append(ChainProblem(entry_id, UNLINKED))
    if entry_hash(prev, canonical_form(*row[:9])) != stored:
        found.append(ChainProblem(entry_id, CHANGED))
    return found


def verify_chain(
    connection: Connection, *, max_problems: int = 100, on_progress: Callable[[int], None] | None = None
) -> VerifyReport:
    """Every entry, in id order: ids consecutive, each linked to the one before, each hash as recomputed,
    and the chain head pointing at an entry with the hash it recorded. Stops listing after `max_problems`.

    The head is read first, so entries appended while the check runs (a live system) are checked too and
    never mistaken for a tampered tail.
    """
    report = VerifyReport()
    head = _head(connection)
    expected_id, previous = 1, GENESIS_HASH
    head_hash_seen: str | None = GENESIS_HASH if head is not None and head[0] == 0 else None
    sha256 = hashlib.sha256
    for batch in _rows(connection):
        for row in batch:
            entry_id, prev, stored = row[0], row[9], row[10]
            # The fast path: what every intact entry looks like, checked without building a problem list.
            text = f"{prev}|{canonical_fields(row[:9])}"
            if entry_id != expected_id or prev != previous or sha256(text.encode()).hexdigest() != stored:
                report.problems.extend(_problems_of(row, expected_id=expected_id, previous=previous))
                if len(report.problems) >= max_problems:
                    return report
            if head is not None and entry_id == head[0]:
                head_hash_seen = stored
            previous, expected_id = stored, entry_id + 1
        report.entries += len(batch)
        if on_progress is not None:
            on_progress(len(batch))
    _check_head(report, head=head, last_id=expected_id - 1, head_hash_seen=head_hash_seen)
    return report


def _head(connection: Connection) -> tuple[int, str] | None:
    table = AuditChainHead.__table__
    row = connection.execute(
        select(table.c.last_entry_id, table.c.last_hash).where(table.c.id == HEAD_ID)
    ).one_or_none()
    return None if row is None else (int(row[0]), str(row[1]))


def _check_head(
    report: VerifyReport, *, head: tuple[int, str] | None, last_id: int, head_hash_seen: str | None
) -> None:
    if head is None:
        report.problems.append(ChainProblem(None, "the chain head is missing"))
    elif head[0] > last_id:
        report.problems.append(
            ChainProblem(
                head[0], f"the log ends at entry {last_id} but entry {head[0]} was written: entries were removed"
            )
        )
    elif head_hash_seen != head[1]:
        report.problems.append(ChainProblem(head[0], "the entry differs from the one the chain head recorded"))
