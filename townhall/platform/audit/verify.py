"""Checking the audit log: recompute every entry's hash in order and say exactly where the chain breaks."""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
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
PARALLEL_FROM = 200_000  # below this many entries, starting processes costs more than it saves
RANGES_PER_WORKER = 4  # smaller ranges than workers, so a slow one does not leave the others idle
Batches = Iterator[list[tuple[Any, ...]]]


def _batches(driver: Any, dialect: str, bounds: tuple[int, int] | None = None) -> Batches:
    """Entries in id order (all, or those with ids in `bounds`), in batches of plain tuples from the DB-API cursor.

    SQLAlchemy's Row objects cost more than the hashing; a server-side (named) cursor on PostgreSQL and
    `fetchmany` on SQLite keep memory flat for any size of log.
    """
    where = (
        ""
        if bounds is None
        else (" WHERE id BETWEEN %s AND %s" if dialect == "postgresql" else " WHERE id BETWEEN ? AND ?")
    )
    query = f"SELECT {COLUMNS} FROM audit_entries{where} ORDER BY id"  # noqa: S608 - constant text, no input
    if dialect == "postgresql":
        cursor = driver.cursor(name="townhall_audit_verify", binary=True)
        cursor.itersize = STREAM_BATCH
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(query, bounds or ())
        while batch := cursor.fetchmany(STREAM_BATCH):
            yield batch
    finally:
        cursor.close()


MISSING = "entries {first} to {last} are missing"
UNLINKED = "does not follow the entry before it (previous hash differs): an entry was removed or reordered"
CHANGED = "was changed after it was written (its hash does not match its content)"


def _link_problems(entry_id: int, prev: str, *, expected_id: int, previous: str) -> list[ChainProblem]:
    if entry_id != expected_id:
        return [ChainProblem(entry_id, MISSING.format(first=expected_id, last=entry_id - 1))]
    if prev != previous:
        return [ChainProblem(entry_id, UNLINKED)]
    return []


def _problems_of(row: tuple[Any, ...], *, expected_id: int | None, previous: str | None) -> list[ChainProblem]:
    """What is wrong with an entry; the first entry of a scan (`expected_id` None) only for its own hash."""
    entry_id, prev, stored = row[0], row[9], row[10]
    found = []
    if expected_id is not None and previous is not None:
        found = _link_problems(entry_id, prev, expected_id=expected_id, previous=previous)
    if entry_hash(prev, canonical_form(*row[:9])) != stored:
        found.append(ChainProblem(entry_id, CHANGED))
    return found


@dataclass
class Segment:
    """What a scan of entries in id order found. Scans of id ranges are stitched together in order."""

    first: tuple[int, str] | None = None  # the first entry's id and previous hash
    last: tuple[int, str] | None = None  # the last entry's id and hash
    watched_hash: str | None = None  # the hash of the entry the chain head names, if seen
    entries: int = 0
    problems: list[ChainProblem] = field(default_factory=list)


def _scan(batches: Batches, *, watch_id: int, max_problems: int,
          on_progress: Callable[[int], None] | None = None) -> Segment:  # fmt: skip
    """Check entries in id order: each linked to the one before and hashed as recomputed. The first entry's
    id and link are checked when segments are stitched together (`_stitched`)."""
    segment, sha256 = Segment(), hashlib.sha256
    expected_id: int | None = None
    previous: str | None = None
    for batch in batches:
        segment.first = segment.first or (batch[0][0], batch[0][9])
        for row in batch:
            entry_id, prev, stored = row[0], row[9], row[10]
            # The fast path: what every intact entry looks like, checked without building a problem list.
            text = f"{prev}|{canonical_fields(row[:9])}"
            if entry_id != expected_id or prev != previous or sha256(text.encode()).hexdigest() != stored:
                segment.problems.extend(_problems_of(row, expected_id=expected_id, previous=previous))
                if len(segment.problems) >= max_problems:
                    return segment
            if entry_id == watch_id:
                segment.watched_hash = stored
            previous, expected_id = stored, entry_id + 1
        segment.entries += len(batch)
        segment.last = (batch[-1][0], batch[-1][10])
        if on_progress is not None:
            on_progress(len(batch))
    return segment


def verify_chain(
    connection: Connection,
    *,
    max_problems: int = 100,
    on_progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> VerifyReport:
    """Every entry, in id order: ids consecutive, each linked to the one before, each hash as recomputed,
    and the chain head pointing at an entry with the hash it recorded. Stops listing after `max_problems`.

    The head is read first, so entries appended while the check runs (a live system) are never mistaken
    for a tampered tail. With `workers` > 1 and a big, committed log, id ranges are checked in that many
    processes, each on its own connection, and stitched together (the result is the same).
    """
    head = _head(connection)
    if head is None:
        return VerifyReport(problems=[ChainProblem(None, "the chain head is missing")])
    target = _database_target(connection)
    if workers > 1 and head[0] >= PARALLEL_FROM and target is not None and _can_fork():
        segments = _scan_in_processes(target, head_id=head[0], workers=workers, max_problems=max_problems,
                                      on_progress=on_progress)  # fmt: skip
    else:
        driver = connection.connection.driver_connection
        batches = _batches(driver, connection.dialect.name)
        segments = [_scan(batches, watch_id=head[0], max_problems=max_problems, on_progress=on_progress)]
    report = _stitched(segments)
    if len(report.problems) < max_problems:  # a scan that stopped early cannot say where the log ends
        _check_head(report, head=head, segments=segments)
    del report.problems[max_problems:]
    return report


def _stitched(segments: list[Segment]) -> VerifyReport:
    """One report from segments in id order: the link into each segment's first entry is checked here."""
    report, expected_id, previous = VerifyReport(), 1, GENESIS_HASH
    for segment in segments:
        if segment.first is None or segment.last is None:
            continue  # an empty id range: the next entry found reports the gap
        report.problems.extend(_link_problems(*segment.first, expected_id=expected_id, previous=previous))
        report.problems.extend(segment.problems)
        report.entries += segment.entries
        expected_id, previous = segment.last[0] + 1, segment.last[1]
    return report


def _head(connection: Connection) -> tuple[int, str] | None:
    table = AuditChainHead.__table__
    row = connection.execute(
        select(table.c.last_entry_id, table.c.last_hash).where(table.c.id == HEAD_ID)
    ).one_or_none()
    return None if row is None else (int(row[0]), str(row[1]))


def _check_head(report: VerifyReport, *, head: tuple[int, str], segments: list[Segment]) -> None:
    last_id = max((segment.last[0] for segment in segments if segment.last), default=0)
    watched = next((segment.watched_hash for segment in segments if segment.watched_hash), None)
    if head[0] > last_id:
        removed = f"the log ends at entry {last_id} but entry {head[0]} was written: entries were removed"
        report.problems.append(ChainProblem(head[0], removed))
    elif (watched or GENESIS_HASH) != head[1]:
        report.problems.append(ChainProblem(head[0], "the entry differs from the one the chain head recorded"))


def _database_target(connection: Connection) -> tuple[str, str] | None:
    """What a worker process connects to: ("postgresql", libpq URL) or ("sqlite", file); None for in-memory."""
    url = connection.engine.url
    if connection.dialect.name == "postgresql":
        return "postgresql", url.set(drivername="postgresql").render_as_string(hide_password=False)
    if url.database in (None, "", ":memory:"):
        return None
    return "sqlite", str(url.database)


def _can_fork() -> bool:
    # fork: a worker starts in milliseconds (a fresh interpreter would spend a second importing).
    return "fork" in multiprocessing.get_all_start_methods()


def _id_ranges(head_id: int, count: int) -> list[tuple[int, int]]:
    size = -(-head_id // count)
    return [(first, min(first + size - 1, head_id)) for first in range(1, head_id + 1, size)]


def _scan_in_processes(target: tuple[str, str], *, head_id: int, workers: int, max_problems: int,
                       on_progress: Callable[[int], None] | None) -> list[Segment]:  # fmt: skip
    ranges = _id_ranges(head_id, workers * RANGES_PER_WORKER)
    context = multiprocessing.get_context("fork")
    segments = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_scan_range, target, bounds, head_id, max_problems) for bounds in ranges]
        for future in futures:
            segment = future.result()
            if on_progress is not None:
                on_progress(segment.entries)
            segments.append(segment)
    return segments


def _scan_range(target: tuple[str, str], bounds: tuple[int, int], watch_id: int, max_problems: int) -> Segment:
    """One worker's range, on its own connection (every entry up to the head is committed and never changes)."""
    dialect, address = target
    if dialect == "postgresql":
        import psycopg

        with psycopg.connect(address) as connection:
            return _scan(_batches(connection, dialect, bounds), watch_id=watch_id, max_problems=max_problems)
    import sqlite3

    database = sqlite3.connect(address)
    try:
        return _scan(_batches(database, dialect, bounds), watch_id=watch_id, max_problems=max_problems)
    finally:
        database.close()
