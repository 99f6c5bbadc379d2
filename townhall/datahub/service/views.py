"""The single view: a household across services, and a person with the evidence that linked their records.

Every view takes the purpose the member of staff gave and shows only sources that may be used for it, both as
their data was ingested and under their contract today (see `allowed_contracts`); other sources are left out
without a trace. Each view is written to the audit log, with its purpose, in the same transaction: if the audit
write fails, nothing is shown. Officers' decisions that correct the model are in `decisions.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from townhall.datahub.contracts import SourceContract, out_of_date
from townhall.datahub.models import (
    DatahubRecord,
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
from townhall.datahub.service.ingest import latest_batches
from townhall.datahub.service.link import any_linkage_run
from townhall.datahub.service.sources import RegisteredSource
from townhall.datahub.standardise import parse_date
from townhall.places.models import Property
from townhall.platform import clock
from townhall.platform.audit import Access, Actor, record_access, record_accesses
from townhall.platform.clock import in_uk
from townhall.platform.errors import Forbidden, InvalidInput, NotFound

Registry = Mapping[str, RegisteredSource]


def _same_purpose(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def allowed_contracts(session: Session, *, purpose: str, registry: Registry) -> dict[str, SourceContract]:
    """The current contracts of the sources whose records may be shown for ``purpose``, by source.

    A purpose must be allowed both when the data was collected and now: a source is shown only if the contract
    stored with its latest ingest batch listed the purpose, AND its contract in the registry today (the
    deployment's ``TOWNHALL_DATAHUB_SOURCES``) is usable (lawful basis, Article 9 or 10 condition, ...) and
    still lists it. Removing a purpose, or breaking a contract, hides the source's records at once; adding a
    purpose reaches only data ingested after the change. Raises InvalidInput for a blank purpose, and Forbidden
    when no source allows it, so a mistyped purpose is not an empty page.
    """
    if not purpose.strip():
        raise InvalidInput("Say why you need to see this record: a purpose is required.")
    # the newest batch's contract per source only: every earlier batch's is history, and reading them all on
    # each view would grow with every extract ever ingested
    ingested: dict[str, dict[str, Any]] = {batch.source: batch.contract for batch in latest_batches(session)}
    allowed: dict[str, SourceContract] = {}
    for source, contract in ingested.items():
        registered = registry.get(source)
        current = registered.contract if registered is not None else None
        if current is not None and _lists(contract["purposes"], purpose) and _lists(current.purposes, purpose):
            allowed[source] = current
    if not allowed:
        raise Forbidden(f"No data hub source may be used for the purpose '{purpose}'.")
    return allowed


def usable_purposes(session: Session, *, registry: Registry) -> list[str]:
    """Every purpose for which `allowed_contracts` allows at least one source, for the purpose list on forms."""
    ingested = {batch.source: batch.contract.get("purposes", []) for batch in latest_batches(session)}
    purposes: set[str] = set()
    for source, then in ingested.items():
        registered = registry.get(source)
        if registered is not None and registered.contract is not None:
            purposes.update(p for p in registered.contract.purposes if _lists(then, p))
    return sorted(purposes)


def _lists(purposes: list[str], purpose: str) -> bool:
    return any(_same_purpose(purpose, listed) for listed in purposes)


def household_view(
    session: Session,
    *,
    household_id: str,
    purpose: str,
    registry: Registry,
    viewer: Actor,
    client: str | None = None,
) -> HouseholdView:
    """Which services are involved with a household, since when, whom to contact in each, and how current each
    service's information is (the day its latest extract was ingested, and whether that is older than the
    source's contract expects).

    The people listed are those whom an allowed source places at the household's address (a home address
    record there): a member placed here only by other services, or known only to them, is neither counted nor
    named, and a household no allowed source places anyone in is not found, as if it did not exist. Where a
    person lives is itself what those services know, so it may not be learned through them for this purpose.
    """
    contracts = allowed_contracts(session, purpose=purpose, registry=registry)
    uprn = _uprn_of(household_id)
    placed = _placed_at(session, household_id=household_id, uprn=uprn, sources=contracts)
    if not placed:
        raise NotFound(_not_linked(session) or f"There is no household {household_id} in the latest linkage run.")
    rows = session.execute(
        select(PersonRecord.person_id, DatahubRecord.source, DatahubRecord.facts)
        .join(DatahubRecord, DatahubRecord.record_key == PersonRecord.record_key)
        .where(PersonRecord.person_id.in_(placed))
        .where(DatahubRecord.source.in_(contracts))
    ).all()
    people: dict[str, set[str]] = defaultdict(set)
    since: dict[str, date] = {}
    for person_id, source, facts in rows:
        people[source].add(person_id)
        started = _involved_since(contracts[source], facts)
        if started is not None and (source not in since or started < since[source]):
            since[source] = started
    extracted = _extracts(session, contracts)
    services = [
        ServiceInvolvement(
            source=source,
            owning_service=contracts[source].owning_service,
            lead_contact=contracts[source].contact,
            since=since.get(source),
            people=sorted(people[source]),
            information_as_of=extracted[source].day,
            out_of_date=extracted[source].out_of_date,
        )
        for source in sorted(people)
    ]
    shown_people = sorted(set().union(*people.values()))
    # One entry for the household and one for each person it names, so a subject access search by person id
    # finds every view that disclosed which services know them
    record_accesses(
        session,
        [
            Access(viewer, "view_household", "household", household_id, purpose, client),
            *(Access(viewer, "view_household_member", "person", person, purpose, client) for person in shown_people),
        ],
    )
    return HouseholdView(
        household_id=household_id,
        uprn=uprn,
        # where the household lives, from the council's gazetteer (a UPRN alone tells a practitioner nothing)
        address=session.scalar(select(Property.address).where(Property.uprn == uprn)) if uprn is not None else None,
        purpose=purpose,
        people=shown_people,
        services=services,
    )


def _uprn_of(household_id: str) -> int | None:
    """The UPRN a household id is made of (``H<uprn>``), or None for an id that is not one."""
    digits = household_id.removeprefix("H")
    return int(digits) if household_id.startswith("H") and digits.isdigit() else None


def _placed_at(session: Session, *, household_id: str, uprn: int | None, sources: Collection[str]) -> list[str]:
    """The household's members whom one of ``sources`` places at its UPRN: a home address record there.

    The members come first, then their few records by person: with the sources in the query, SQLite's planner
    walked the million records by source instead (120 ms a view at a million records, against 2 ms).
    """
    if uprn is None:
        return []
    members = list(session.scalars(select(LinkedPerson.person_id).where(LinkedPerson.household_id == household_id)))
    records = session.execute(
        select(PersonRecord.person_id, DatahubRecord.source, DatahubRecord.uprn, DatahubRecord.address_is_home)
        .join(DatahubRecord, DatahubRecord.record_key == PersonRecord.record_key)
        .where(PersonRecord.person_id.in_(members))
    )
    return sorted({person for person, source, at, home in records if source in sources and at == uprn and home == "Y"})


@dataclass(frozen=True, slots=True)
class _Extract:
    day: date  # the UK day the source's latest extract was ingested
    out_of_date: bool  # older than the source's contract expects


def _extracts(session: Session, contracts: Mapping[str, SourceContract]) -> dict[str, _Extract]:
    """How current each allowed source's information is, by source."""
    today = clock.today()
    extracts = {}
    for batch in latest_batches(session):
        if batch.source in contracts:
            day = in_uk(batch.ingested_at).date()
            extracts[batch.source] = _Extract(day, out_of_date(contracts[batch.source], day, today))
    return extracts


def _not_linked(session: Session) -> str | None:
    """Why nothing can be found when no linkage run has been made yet (else None)."""
    if any_linkage_run(session):
        return None
    return (
        "The data hub has not linked its records yet, so there are no people or households to show. "
        "An administrator runs `townhall datahub link` after the extracts are ingested."
    )


def _involved_since(contract: SourceContract, facts: dict[str, Any]) -> date | None:
    """The date in the contract's `involved_since` fact (checked at ingest: a date, ISO date-time text, or blank)."""
    if contract.involved_since is None:
        return None
    return parse_date(facts.get(contract.involved_since)).value


def person_view(
    session: Session,
    *,
    person_id: str,
    purpose: str,
    registry: Registry,
    viewer: Actor,
    client: str | None = None,
) -> PersonView:
    """A person's linked records from the sources the purpose allows, the match evidence between them, and
    officers' decisions about them.

    A decision is shown only if both its records come from allowed sources; the others are left out without a
    trace (even a count would say that another service holds a record someone compared with this person's).

    A person no allowed source knows is not found, as if they did not exist, and their household is shown only
    if an allowed source places them there (a home address record at its UPRN): both would otherwise tell what
    the other services know.
    """
    contracts = allowed_contracts(session, purpose=purpose, registry=registry)
    person = session.get(LinkedPerson, person_id)
    records = session.scalars(
        select(DatahubRecord)
        .join(PersonRecord, PersonRecord.record_key == DatahubRecord.record_key)
        .where(PersonRecord.person_id == person_id, DatahubRecord.source.in_(contracts))
        .order_by(DatahubRecord.source, DatahubRecord.record_key)
    ).all()
    if person is None or not records:
        raise NotFound(_not_linked(session) or f"There is no person {person_id} in the latest linkage run.")
    placed = any(r.uprn is not None and r.uprn == person.uprn and r.address_is_home == "Y" for r in records)
    keys = [record.record_key for record in records]
    extracted = _extracts(session, contracts)
    matches = session.scalars(
        select(MatchEvidence)
        .where(MatchEvidence.record_l.in_(keys), MatchEvidence.record_r.in_(keys))
        .order_by(MatchEvidence.match_weight.desc())
    ).all()
    decisions = _decisions_about(session, keys)
    source_of = _sources_of(session, {key for d in decisions for key in (d.record_a, d.record_b)})
    shown = [d for d in decisions if source_of[d.record_a] in contracts and source_of[d.record_b] in contracts]
    record_access(session, actor=viewer, action="view_linked_person", subject_type="person",
                  subject_id=person_id, purpose=purpose, client=client)  # fmt: skip
    return PersonView(
        person_id=person_id,
        household_id=person.household_id if placed else None,
        purpose=purpose,
        records=[_linked_record(r, contracts[r.source], extracted[r.source]) for r in records],
        matches=[
            MatchReason(
                record_a=m.record_l,
                record_b=m.record_r,
                match_weight=m.match_weight,
                match_probability=m.match_probability,
            )
            for m in matches
        ],
        decisions=[decision_summary(d) for d in shown],
    )


def _decisions_about(session: Session, keys: list[str]) -> list[OfficerDecision]:
    if not keys:
        return []
    return list(
        session.scalars(
            select(OfficerDecision)
            .where(or_(OfficerDecision.record_a.in_(keys), OfficerDecision.record_b.in_(keys)))
            .order_by(OfficerDecision.decided_at, OfficerDecision.id)
        )
    )


def _sources_of(session: Session, keys: set[str]) -> dict[str, str]:
    """Each record's source; a record no longer ingested counts under the source its key names."""
    found: dict[str, str] = {
        key: source
        for key, source in session.execute(
            select(DatahubRecord.record_key, DatahubRecord.source).where(DatahubRecord.record_key.in_(keys))
        )
    }
    return {key: found.get(key, key.partition(":")[0]) for key in keys}


def _linked_record(record: DatahubRecord, contract: SourceContract, extract: _Extract) -> LinkedRecord:
    return LinkedRecord(
        record_key=record.record_key,
        source=record.source,
        owning_service=contract.owning_service,
        source_record_id=record.source_record_id,
        first_name=record.first_name,
        last_name=record.last_name,
        date_of_birth=record.date_of_birth,
        postcode=record.postcode,
        uprn=record.uprn,
        uprn_match=record.uprn_match,
        information_as_of=extract.day,
        out_of_date=extract.out_of_date,
    )


def decision_summary(decision: OfficerDecision) -> DecisionSummary:
    return DecisionSummary(
        record_a=decision.record_a,
        record_b=decision.record_b,
        same_person=decision.same_person,
        reason=decision.reason,
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
    )
