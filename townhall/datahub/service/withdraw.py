"""Withdraw a source from the data hub: its records, their quarantine and their links go, in one audited change.

For when a data-sharing agreement ends, a service leaves the hub, or its contract no longer holds (a contract
that stops validating already stops ingests, links and views of that source, but the records would stay). The
people the source's records belonged to keep their ids through the records other sources hold; people known
only through it go. Households are worked out again by the next `townhall datahub link`. The ingest batches stay,
as the history of what was received and under which contract; they hold no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from townhall.datahub.models import DatahubRecord, LinkedPerson, MatchEvidence, PersonRecord, QuarantinedRow
from townhall.platform.audit import SYSTEM, Actor, record_access
from townhall.platform.errors import InvalidInput, NotFound

_SHORTEST_REASON = 10


@dataclass(frozen=True, slots=True)
class Withdrawal:
    source: str
    records: int
    quarantined: int
    matches: int
    people_removed: int


def holdings(session: Session, source: str) -> tuple[int, int]:
    """(records, quarantined rows) the hub holds from ``source``."""
    records = session.scalar(select(func.count()).select_from(DatahubRecord).where(DatahubRecord.source == source))
    quarantined = session.scalar(
        select(func.count()).select_from(QuarantinedRow).where(QuarantinedRow.source == source)
    )
    return int(records or 0), int(quarantined or 0)


def withdraw_source(session: Session, *, source: str, reason: str, actor: Actor = SYSTEM) -> Withdrawal:
    """Delete everything the hub holds from ``source`` and audit it with ``reason``. Never commits."""
    reason = " ".join(reason.split())
    if len(reason) < _SHORTEST_REASON:
        raise InvalidInput(
            f"Say why the source is withdrawn, in at least {_SHORTEST_REASON} characters (for example, the "
            "data-sharing agreement that ended)."
        )
    records, quarantined = holdings(session, source)
    if not records and not quarantined:
        raise NotFound(f"The data hub holds nothing from a source called '{source}'.")
    keys = select(DatahubRecord.record_key).where(DatahubRecord.source == source).scalar_subquery()
    matches = session.execute(
        delete(MatchEvidence).where(or_(MatchEvidence.record_l.in_(keys), MatchEvidence.record_r.in_(keys)))
    ).rowcount  # type: ignore[attr-defined]
    session.execute(delete(PersonRecord).where(PersonRecord.record_key.in_(keys)))
    session.execute(delete(DatahubRecord).where(DatahubRecord.source == source))
    session.execute(delete(QuarantinedRow).where(QuarantinedRow.source == source))
    people_removed = _people_without_records(session)
    record_access(
        session,
        actor=actor,
        action="datahub_withdraw_source",
        subject_type="datahub_source",
        subject_id=source,
        purpose=reason,
    )
    return Withdrawal(source, records, quarantined, int(matches or 0), people_removed)


def _people_without_records(session: Session) -> int:
    """Remove people no record now belongs to, and recount the records of the rest; how many were removed."""
    has_records = exists().where(PersonRecord.person_id == LinkedPerson.person_id)
    removed = session.execute(delete(LinkedPerson).where(~has_records)).rowcount  # type: ignore[attr-defined]
    count = (
        select(func.count())
        .select_from(PersonRecord)
        .where(PersonRecord.person_id == LinkedPerson.person_id)
        .scalar_subquery()
    )
    session.execute(update(LinkedPerson).values(records=count).where(LinkedPerson.records != count))
    return int(removed or 0)
