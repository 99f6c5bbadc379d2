"""Checking the audit log: recompute every entry's hash in order and say exactly where the chain breaks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from townhall.platform.audit.chain import HEAD_ID, canonical_form, entry_hash
from townhall.platform.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry

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


def _rows(connection: Connection) -> Iterator[tuple[Any, ...]]:
    table = AuditEntry.__table__
    query = select(
        table.c.id, table.c.occurred_at_us, table.c.actor_type, table.c.actor_id, table.c.action,
        table.c.subject_type, table.c.subject_id, table.c.purpose, table.c.client,
        table.c.previous_hash, table.c.entry_hash,
    ).order_by(table.c.id)  # fmt: skip
    # Options on the statement, not the connection: Connection.execution_options() would change it for good.
    result = connection.execute(query.execution_options(stream_results=True, yield_per=STREAM_BATCH))
    for partition in result.partitions():
        for row in partition:
            yield tuple(row)


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
    and the chain head pointing at the last one. Stops listing after `max_problems`."""
    report = VerifyReport()
    expected_id, previous = 1, GENESIS_HASH
    for row in _rows(connection):
        entry_id, prev, stored = row[0], row[9], row[10]
        # The fast path: what every intact entry looks like, checked without building a problem list.
        if entry_id != expected_id or prev != previous or entry_hash(prev, canonical_form(*row[:9])) != stored:
            report.problems.extend(_problems_of(row, expected_id=expected_id, previous=previous))
            if len(report.problems) >= max_problems:
                return report
        previous, expected_id = stored, entry_id + 1
        report.entries += 1
        if on_progress is not None and report.entries % STREAM_BATCH == 0:
            on_progress(STREAM_BATCH)
    _check_head(connection, report, last_id=expected_id - 1, last_hash=previous)
    return report


def _check_head(connection: Connection, report: VerifyReport, *, last_id: int, last_hash: str) -> None:
    head = AuditChainHead.__table__
    row = connection.execute(select(head.c.last_entry_id, head.c.last_hash).where(head.c.id == HEAD_ID)).one_or_none()
    if row is None:
        report.problems.append(ChainProblem(None, "the chain head is missing"))
    elif row[0] != last_id:
        report.problems.append(
            ChainProblem(
                row[0], f"the log ends at entry {last_id} but entry {row[0]} was written: entries were removed"
            )
        )
    elif row[1] != last_hash:
        report.problems.append(ChainProblem(last_id, "the last entry differs from the one the chain head recorded"))
