"""The single view: a household across services, a person and the evidence that linked their records, and
officers' decisions that correct the model.

Every view takes the purpose the member of staff gave and shows only sources whose contract (as ingested)
allows that purpose; other sources are left out without a trace. Each view and decision is written to the audit
log, with its purpose, in the same transaction: if the audit write fails, nothing is shown.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from townhall.datahub.models import (
    DatahubRecord,
    IngestBatch,
    LinkedPerson,
    MatchEvidence,
    OfficerDecision,
    PersonRecord,
)
from townhall.datahub.schemas import (
    DecisionSummary,
    HouseholdView,
    LinkedRecord,
    MatchReason,
    PersonView,
    ServiceInvolvement,
)
from townhall.datahub.service.link import any_linkage_run
from townhall.datahub.stable_ids import ConflictingDecisionsError, apply_officer_decisions
from townhall.datahub.stable_ids import OfficerDecision as Decision
from townhall.datahub.standardise import parse_date
from townhall.platform import clock
from townhall.platform.audit import Actor, record_access
from townhall.platform.errors import Conflict, Forbidden, InvalidInput, NotFound


def _same_purpose(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def allowed_contracts(session: Session, *, purpose: str) -> dict[str, dict[str, Any]]:
    """The contracts (as ingested) of the sources whose records may be shown for ``purpose``, by source.

    Raises Forbidden when no source allows the purpose, so a mistyped purpose is not an empty page.
    """
    if not purpose.strip():
        raise InvalidInput("Say why you need to see this record: a purpose is required.")
    latest: dict[str, dict[str, Any]] = {}
    for source, contract in session.execute(
        select(IngestBatch.source, IngestBatch.contract).order_by(IngestBatch.id.desc())
    ):
        latest.setdefault(source, contract)
    allowed = {
        source: contract
        for source, contract in latest.items()
        if any(_same_purpose(purpose, listed) for listed in contract["purposes"])
    }
    if not allowed:
        raise Forbidden(f"No data hub source may be used for the purpose '{purpose}'.")
    return allowed


def household_view(
    session: Session, *, household_id: str, purpose: str, viewer: Actor, client: str | None = None
) -> HouseholdView:
    """Which services are involved with a household, since when, and whom to contact in each."""
    members = session.execute(
        select(LinkedPerson.person_id, LinkedPerson.uprn).where(LinkedPerson.household_id == household_id)
    ).all()
    if not members:
        raise NotFound(_not_linked(session) or f"There is no household {household_id} in the latest linkage run.")
    contracts = allowed_contracts(session, purpose=purpose)
    rows = session.execute(
        select(PersonRecord.person_id, DatahubRecord.source, DatahubRecord.facts)
        .join(DatahubRecord, DatahubRecord.record_key == PersonRecord.record_key)
        .where(PersonRecord.person_id.in_([m.person_id for m in members]))
        .where(DatahubRecord.source.in_(contracts))
    ).all()
    people: dict[str, set[str]] = defaultdict(set)
    since: dict[str, date | None] = {}
    for person_id, source, facts in rows:
        people[source].add(person_id)
        started = _involved_since(contracts[source], facts)
        if started is not None and (since.get(source) is None or started < since[source]):  # type: ignore[operator]
            since[source] = started
    services = [
        ServiceInvolvement(
            source=source,
            owning_service=contracts[source]["owning_service"],
            lead_contact=contracts[source]["contact"],
            since=since.get(source),
            people=sorted(people[source]),
        )
        for source in sorted(people)
    ]
    record_access(session, actor=viewer, action="view_household", subject_type="household",
                  subject_id=household_id, purpose=purpose, client=client)  # fmt: skip
    return HouseholdView(
        household_id=household_id,
        uprn=members[0].uprn,
        purpose=purpose,
        people=sorted(m.person_id for m in members),
        services=services,
    )


def _not_linked(session: Session) -> str | None:
    """Why nothing can be found when no linkage run has been made yet (else None)."""
    if any_linkage_run(session):
        return None
    return (
        "The data hub has not linked its records yet, so there are no people or households to show. "
        "An administrator runs `townhall datahub link` after the extracts are ingested."
    )


def _involved_since(contract: dict[str, Any], facts: dict[str, Any]) -> date | None:
    fact = contract.get("involved_since")
    return parse_date(facts.get(fact)).value if fact else None


def person_view(
    session: Session, *, person_id: str, purpose: str, viewer: Actor, client: str | None = None
) -> PersonView:
    """A person's linked records from the sources the purpose allows, the match evidence between them, and
    officers' decisions about them."""
    person = session.get(LinkedPerson, person_id)
    if person is None:
        raise NotFound(_not_linked(session) or f"There is no person {person_id} in the latest linkage run.")
    contracts = allowed_contracts(session, purpose=purpose)
    records = session.scalars(
        select(DatahubRecord)
        .join(PersonRecord, PersonRecord.record_key == DatahubRecord.record_key)
        .where(PersonRecord.person_id == person_id, DatahubRecord.source.in_(contracts))
        .order_by(DatahubRecord.source, DatahubRecord.record_key)
    ).all()
    keys = [record.record_key for record in records]
    matches = session.scalars(
        select(MatchEvidence)
        .where(MatchEvidence.record_l.in_(keys), MatchEvidence.record_r.in_(keys))
        .order_by(MatchEvidence.match_weight.desc())
    ).all()
    decisions = session.scalars(
        select(OfficerDecision)
        .where(or_(OfficerDecision.record_a.in_(keys), OfficerDecision.record_b.in_(keys)))
        .order_by(OfficerDecision.decided_at)
    ).all()
    record_access(session, actor=viewer, action="view_linked_person", subject_type="person",
                  subject_id=person_id, purpose=purpose, client=client)  # fmt: skip
    return PersonView(
        person_id=person_id,
        household_id=person.household_id,
        purpose=purpose,
        records=[_linked_record(r, contracts[r.source]) for r in records],
        matches=[
            MatchReason(
                record_a=m.record_l,
                record_b=m.record_r,
                match_weight=m.match_weight,
                match_probability=m.match_probability,
            )
            for m in matches
        ],
        decisions=[_decision_summary(d) for d in decisions],
    )


def _linked_record(record: DatahubRecord, contract: dict[str, Any]) -> LinkedRecord:
    return LinkedRecord(
        record_key=record.record_key,
        source=record.source,
        owning_service=contract["owning_service"],
        source_record_id=record.source_record_id,
        first_name=record.first_name,
        last_name=record.last_name,
        date_of_birth=record.date_of_birth,
        postcode=record.postcode,
        uprn=record.uprn,
        uprn_match=record.uprn_match,
    )


def _decision_summary(decision: OfficerDecision) -> DecisionSummary:
    return DecisionSummary(
        record_a=decision.record_a,
        record_b=decision.record_b,
        same_person=decision.same_person,
        reason=decision.reason,
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
    )


def record_officer_decision(
    session: Session,
    *,
    record_a: str,
    record_b: str,
    same_person: bool,
    reason: str,
    decided_by: str,
    viewer: Actor,
    client: str | None = None,
) -> DecisionSummary:
    """Record that two records are (or are not) the same person; the next linkage run honours it.

    Refuses unknown records, a record paired with itself, a missing reason, and a decision that contradicts
    earlier ones (A = B and B = C, then A ≠ C).
    """
    if record_a == record_b:
        raise InvalidInput("A decision needs two different records.")
    if not reason.strip() or not decided_by.strip():
        raise InvalidInput("Give the reason for the decision and who made it.")
    found = set(
        session.scalars(select(DatahubRecord.record_key).where(DatahubRecord.record_key.in_([record_a, record_b])))
    )
    missing = sorted({record_a, record_b} - found)
    if missing:
        raise NotFound(f"There is no ingested record {', '.join(missing)}.")
    _check_consistent(session, Decision(record_a, record_b, same_person))
    decision = OfficerDecision(
        record_a=record_a,
        record_b=record_b,
        same_person=same_person,
        reason=reason.strip(),
        decided_by=decided_by.strip(),
        decided_at=clock.now(),
    )
    session.add(decision)
    session.flush()
    record_access(session, actor=viewer, action="record_link_decision", subject_type="datahub_record",
                  subject_id=f"{record_a}|{record_b}", purpose=f"correct a record link: {reason.strip()}"[:200],
                  client=client)  # fmt: skip
    return _decision_summary(decision)


def _check_consistent(session: Session, new: Decision) -> None:
    earlier = [
        Decision(a, b, same)
        for a, b, same in session.execute(
            select(OfficerDecision.record_a, OfficerDecision.record_b, OfficerDecision.same_person).order_by(
                OfficerDecision.decided_at, OfficerDecision.id
            )
        )
    ]
    decisions = [*earlier, new]
    alone = {key: key for d in decisions for key in (d.record_a, d.record_b)}
    try:
        apply_officer_decisions(alone, [], decisions)
    except ConflictingDecisionsError as error:
        raise Conflict(f"That decision contradicts earlier ones: {error}") from None
