"""The quarantine: rows of the latest extracts that were not loaded, with the reason, for staff to fix at source."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.datahub.models import QuarantinedRow
from townhall.datahub.schemas import QuarantineEntry


def quarantined_rows(session: Session, *, source: str | None = None, limit: int | None = None) -> list[QuarantineEntry]:
    """Quarantined rows of the current extracts, by source and row number."""
    query = select(QuarantinedRow).order_by(QuarantinedRow.source, QuarantinedRow.row_number)
    if source is not None:
        query = query.where(QuarantinedRow.source == source)
    if limit is not None:
        query = query.limit(limit)
    return [
        QuarantineEntry(
            source=row.source, batch_id=row.batch_id, row_number=row.row_number, reason=row.reason, raw=row.raw
        )
        for row in session.scalars(query)
    ]


def quarantine_csv(session: Session, *, source: str | None = None) -> str:
    """The quarantine as CSV: source, row number, reason, then the row as it arrived (as JSON-free columns)."""
    entries = quarantined_rows(session, source=source)
    raw_columns = list(dict.fromkeys(column for entry in entries for column in entry.raw))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["source", "batch_id", "row_number", "reason", *raw_columns])
    for entry in entries:
        values = ["" if entry.raw.get(c) is None else entry.raw.get(c) for c in raw_columns]
        writer.writerow([entry.source, entry.batch_id, entry.row_number, entry.reason, *values])
    return out.getvalue()
