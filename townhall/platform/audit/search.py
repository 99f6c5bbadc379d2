"""Finding audit entries by person (subject), actor, action and date range, and writing them as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from townhall.platform.audit.chain import microseconds_since_epoch
from townhall.platform.audit.models import AuditEntry
from townhall.platform.spreadsheet import spreadsheet_safe

MAX_RESULTS = 1000
CSV_COLUMNS = [
    "id", "occurred_at", "actor_type", "actor_id", "action", "subject_type", "subject_id", "purpose", "client",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuditQuery:
    subject_type: str | None = None
    subject_id: str | None = None
    actor_type: str | None = None
    actor_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive


def occurred_at(entry: AuditEntry) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=entry.occurred_at_us)


def _start_of(day: date) -> int:
    return microseconds_since_epoch(datetime(day.year, day.month, day.day, tzinfo=UTC))


def _filtered(query: AuditQuery) -> Select[AuditEntry]:
    statement = select(AuditEntry)
    for column, value in (
        (AuditEntry.subject_type, query.subject_type), (AuditEntry.subject_id, query.subject_id),
        (AuditEntry.actor_type, query.actor_type), (AuditEntry.actor_id, query.actor_id),
        (AuditEntry.action, query.action),
    ):  # fmt: skip
        if value not in (None, ""):
            statement = statement.where(column == value)
    if query.since is not None:
        statement = statement.where(AuditEntry.occurred_at_us >= _start_of(query.since))
    if query.until is not None:
        statement = statement.where(AuditEntry.occurred_at_us < _start_of(query.until + timedelta(days=1)))
    return statement


def search_entries(session: Session, *, query: AuditQuery, limit: int = MAX_RESULTS) -> list[AuditEntry]:
    """The newest matching entries first, at most `limit`."""
    statement = _filtered(query).order_by(AuditEntry.id.desc()).limit(limit)
    return list(session.scalars(statement))


def entries_as_csv(session: Session, *, query: AuditQuery) -> Iterator[str]:
    """Every matching entry in id order, as CSV text chunks (streamed, so a big export does not fill memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    rows: Iterable[AuditEntry] = session.scalars(
        _filtered(query).order_by(AuditEntry.id).execution_options(yield_per=5000)
    )
    for count, entry in enumerate(rows, start=1):
        writer.writerow(
            [spreadsheet_safe(v) for v in (entry.id, occurred_at(entry).isoformat(), entry.actor_type, entry.actor_id,
             entry.action, entry.subject_type, entry.subject_id, entry.purpose, entry.client)]
        )  # fmt: skip
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
