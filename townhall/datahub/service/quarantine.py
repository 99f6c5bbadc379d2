"""The quarantine: rows of the latest extracts that were not loaded, with the reason, for staff to fix at source."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from townhall.datahub.models import IngestBatch, QuarantinedRow
from townhall.datahub.schemas import QuarantineEntry, QuarantinePage, QuarantineSource
from townhall.platform.spreadsheet import spreadsheet_safe


def quarantined_rows(
    session: Session, *, source: str | None = None, limit: int | None = None, offset: int = 0
) -> list[QuarantineEntry]:
    """Quarantined rows of the current extracts (of ``source`` only, if given): the newest extract first, then
    by source and row number, so one large bad extract does not hide the other sources' rows for ever."""
    query = select(QuarantinedRow).order_by(
        QuarantinedRow.batch_id.desc(), QuarantinedRow.source, QuarantinedRow.row_number, QuarantinedRow.id
    )
    if source is not None:
        query = query.where(QuarantinedRow.source == source)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [
        QuarantineEntry(
            source=row.source, batch_id=row.batch_id, row_number=row.row_number, reason=row.reason, raw=row.raw
        )
        for row in session.scalars(query)
    ]


def quarantine_summary(session: Session) -> list[QuarantineSource]:
    """Each source with quarantined rows: how many, and the file name and date of the extract they came from
    (the latest, should a source's rows ever span several)."""
    counts = (
        select(
            QuarantinedRow.source,
            func.count().label("rows"),
            func.max(QuarantinedRow.batch_id).label("batch_id"),
        )
        .group_by(QuarantinedRow.source)
        .subquery()
    )
    found = session.execute(
        select(counts.c.source, counts.c.rows, counts.c.batch_id, IngestBatch.file_name, IngestBatch.ingested_at)
        .join(IngestBatch, IngestBatch.id == counts.c.batch_id)
        .order_by(counts.c.source)
    ).all()
    return [
        QuarantineSource(source=source, rows=rows, batch_id=batch, file_name=name, ingested_at=at)
        for source, rows, batch, name, at in found
    ]


def quarantine_page(session: Session, *, source: str | None = None, page: int = 1, size: int = 200) -> QuarantinePage:
    """Page ``page`` (from 1) of the quarantined rows, ``size`` to a page, with the total."""
    count = select(func.count()).select_from(QuarantinedRow)
    if source is not None:
        count = count.where(QuarantinedRow.source == source)
    offset = (max(page, 1) - 1) * size
    return QuarantinePage(
        source=source,
        total=session.scalar(count) or 0,
        offset=offset,
        entries=quarantined_rows(session, source=source, limit=size, offset=offset),
    )


def quarantine_csv(session: Session, *, source: str | None = None) -> str:
    """The quarantine as CSV: source, row number, reason, then the row as it arrived (as JSON-free columns)."""
    entries = quarantined_rows(session, source=source)
    raw_columns = list(dict.fromkeys(column for entry in entries for column in entry.raw))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["source", "batch_id", "row_number", "reason", *raw_columns])
    for entry in entries:
        # the rows are what a source sent and failed its contract: never let a spreadsheet run one as a formula
        values = ["" if entry.raw.get(c) is None else spreadsheet_safe(entry.raw.get(c)) for c in raw_columns]
        writer.writerow([entry.source, entry.batch_id, entry.row_number, spreadsheet_safe(entry.reason), *values])
    return out.getvalue()
