"""The data hub's retention: delete what it may no longer keep (`townhall datahub expire`, run daily).

Two rules, each audited:

- A source whose latest extract is older than its contract's ``delete_after_days`` is withdrawn (``withdraw``):
  its records, links and quarantine go. The hub's copy is only as good as its last refresh; once the service
  stops sending extracts (the agreement lapsed, the system was replaced), keeping the copy serves no purpose
  the contract names, and it drifts out of date about the people in it.
- Quarantined rows (raw extract rows, kept so the service can fix its export) go
  ``datahub_quarantine_retention_days`` after their extract was ingested, whether or not a newer one came.

A source with no limit (none in its contract, or no usable contract) is left alone and named, so someone decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from townhall.datahub.models import IngestBatch, QuarantinedRow
from townhall.datahub.service.ingest import latest_batches
from townhall.datahub.service.sources import RegisteredSource
from townhall.datahub.service.withdraw import Withdrawal, holdings, withdraw_source
from townhall.platform import clock
from townhall.platform.audit import SYSTEM, record_access


@dataclass(frozen=True, slots=True)
class StaleSource:
    source: str
    extracted_on: date  # the day its latest extract was ingested
    delete_after_days: int


@dataclass(slots=True)
class Expiry:
    stale: list[StaleSource] = field(default_factory=list)  # withdrawn, or due to be in a dry run
    withdrawn: list[Withdrawal] = field(default_factory=list)
    quarantine: dict[str, int] = field(default_factory=dict)  # rows deleted (or due) by source
    without_limit: list[str] = field(default_factory=list)  # sources holding records with no retention limit


def stale_sources(
    session: Session, registry: Mapping[str, RegisteredSource], *, now: datetime
) -> tuple[list[StaleSource], list[str]]:
    """(sources whose latest extract is past its limit, sources that have no limit), by name."""
    stale, without_limit = [], []
    for batch in latest_batches(session):
        if holdings(session, batch.source) == (0, 0):
            continue  # withdrawn already: its batches stay as history, holding no personal data
        limit = _limit(batch, registry.get(batch.source))
        if limit is None:
            without_limit.append(batch.source)
            continue
        extracted_on = clock.in_uk(batch.ingested_at).date()
        if (clock.in_uk(now).date() - extracted_on).days > limit:
            stale.append(StaleSource(batch.source, extracted_on, limit))
    return stale, without_limit


def _limit(batch: IngestBatch, registered: RegisteredSource | None) -> int | None:
    """The source's limit from its current contract; where that is gone or unusable, the one it was ingested under."""
    if registered is not None and registered.contract is not None:
        return registered.contract.delete_after_days
    recorded: Any = batch.contract.get("delete_after_days")
    return recorded if isinstance(recorded, int) else None


def expired_quarantine(session: Session, *, now: datetime, keep_days: int) -> dict[str, int]:
    """Quarantined rows past ``keep_days`` since their extract was ingested, counted by source."""
    old = select(IngestBatch.id).where(IngestBatch.ingested_at < now - timedelta(days=keep_days))
    rows = session.execute(
        select(QuarantinedRow.source, func.count())
        .where(QuarantinedRow.batch_id.in_(old))
        .group_by(QuarantinedRow.source)
        .order_by(QuarantinedRow.source)
    )
    return {source: int(count) for source, count in rows}


def expire(
    session: Session,
    registry: Mapping[str, RegisteredSource],
    *,
    now: datetime,
    quarantine_days: int,
    dry_run: bool = False,
) -> Expiry:
    """Apply both rules (or, with ``dry_run``, only say what they would delete). Never commits."""
    stale, without_limit = stale_sources(session, registry, now=now)
    result = Expiry(stale=stale, without_limit=without_limit)
    if not dry_run:
        for overdue in stale:
            reason = (
                f"Retention: the latest extract, of {overdue.extracted_on:%-d %B %Y}, is more than "
                f"{overdue.delete_after_days} days old (the contract's delete_after_days)"
            )
            result.withdrawn.append(withdraw_source(session, source=overdue.source, reason=reason))
    result.quarantine = expired_quarantine(session, now=now, keep_days=quarantine_days)
    if not dry_run:
        old = select(IngestBatch.id).where(IngestBatch.ingested_at < now - timedelta(days=quarantine_days))
        session.execute(delete(QuarantinedRow).where(QuarantinedRow.batch_id.in_(old)))
        for source, count in result.quarantine.items():
            record_access(
                session, actor=SYSTEM, action="datahub_expire_quarantine", subject_type="datahub_source",
                subject_id=source, purpose=f"Retention: {count} quarantined rows more than {quarantine_days} days old",
            )  # fmt: skip
    return result
