"""Withdraw a source from the data hub: its records, their quarantine, their links, the officers' decisions about
them and the households its addresses made go, in one audited change.

For when a data-sharing agreement ends, a service leaves the hub, or its contract no longer holds (a contract
that stops validating already stops ingests, links and views of that source, but the records would stay). The
people the source's records belonged to keep their ids through the records other sources hold; people known
only through it go, and the others are placed in households again from the home addresses other sources give (the
next `townhall datahub link` may still join or split people without it). The ingest batches stay,
as the history of what was received and under which contract; they hold no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from townhall.datahub.models import (
    DatahubRecord,
    LinkedPerson,
    MatchEvidence,
    OfficerDecision,
    PersonRecord,
    QuarantinedRow,
    key_of_source,
)
from townhall.db import table_of
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
    links = session.scalar(select(func.count()).where(key_of_source(PersonRecord.record_key, source)))
    if not records and not quarantined and not links:
        raise NotFound(f"The data hub holds nothing from a source called '{source}'.")
    # Links, matches and decisions go by key prefix: they may name records that an earlier extract of the source
    # held and the latest no longer does (until the next linkage run), and those came from the source too.
    # Decisions say why (free text about a resident): they go with the records.
    matches = session.execute(
        delete(MatchEvidence).where(
            or_(key_of_source(MatchEvidence.record_l, source), key_of_source(MatchEvidence.record_r, source))
        )
    ).rowcount  # type: ignore[attr-defined]
    session.execute(
        delete(OfficerDecision).where(
            or_(key_of_source(OfficerDecision.record_a, source), key_of_source(OfficerDecision.record_b, source))
        )
    )
    affected = list(
        session.scalars(select(PersonRecord.person_id).distinct().where(key_of_source(PersonRecord.record_key, source)))
    )
    session.execute(delete(PersonRecord).where(key_of_source(PersonRecord.record_key, source)))
    session.execute(delete(DatahubRecord).where(DatahubRecord.source == source))
    session.execute(delete(QuarantinedRow).where(QuarantinedRow.source == source))
    people_removed = _people_without_records(session)
    _place_again(session, affected)
    record_access(
        session,
        actor=actor,
        action="datahub_withdraw_source",
        subject_type="datahub_source",
        subject_id=source,
        purpose=reason,
    )
    return Withdrawal(source, records, quarantined, int(matches or 0), people_removed)


def _place_again(session: Session, person_ids: list[str]) -> None:
    """Work out again where the people who lost records live, from the home addresses left (as a linkage run
    does: the UPRN most of them give, a tie to the smaller): an address only the withdrawn source gave must not
    keep anyone in a household until the next run."""
    affected = set(person_ids)
    votes: dict[str, list[tuple[int, int]]] = {}
    for person_id, uprn, count in session.execute(
        select(PersonRecord.person_id, DatahubRecord.uprn, func.count())
        .join(DatahubRecord, DatahubRecord.record_key == PersonRecord.record_key)
        .where(DatahubRecord.uprn.is_not(None), DatahubRecord.address_is_home == "Y")
        .group_by(PersonRecord.person_id, DatahubRecord.uprn)
    ):
        if person_id in affected and uprn is not None:
            votes.setdefault(person_id, []).append((-count, uprn))
    people = session.execute(select(LinkedPerson.person_id, LinkedPerson.uprn)).all()
    moved = []
    for person_id, was in people:
        if person_id in affected:
            uprn = min(votes[person_id])[1] if person_id in votes else None
            if uprn != was:
                moved.append({"id": person_id, "uprn": uprn, "household": None if uprn is None else f"H{uprn}"})
    if moved:
        table = table_of(LinkedPerson)
        session.execute(
            update(table)
            .where(table.c.person_id == bindparam("id"))
            .values(uprn=bindparam("uprn"), household_id=bindparam("household")),
            moved,
        )


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
