"""The single view's rules: sources by their contract today, decisions and people only from allowed sources,
and since when a service has been involved, whatever form its date arrived in."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.datahub.test_link_service import EARLY_HELP_ADULTS, OFFICER, PURPOSE, QUICK, REGISTRY, _contracts
from townhall.datahub.models import DatahubRecord, LinkedPerson, PersonRecord
from townhall.datahub.service import household_view, person_view, record_officer_decision, run_linkage
from townhall.datahub.service.sources import RegisteredSource, source_registry
from townhall.places.models import Property
from townhall.platform.audit.models import AuditEntry

pytestmark = pytest.mark.slow
SHIPPED = Path(__file__).parents[2] / "townhall" / "datahub" / "sources"


def registry_today(folder: Path) -> dict[str, RegisteredSource]:
    """The shipped contracts as a deployment might have changed them since the extracts were ingested: council
    tax no longer lists PURPOSE, and children's social care has lost its Article 9 condition (so is invalid)."""
    shutil.copytree(SHIPPED, folder)
    council_tax = folder / "council_tax.toml"
    council_tax.write_text(council_tax.read_text().replace(f'  "{PURPOSE}",\n', ""))
    social_care = folder / "childrens_social_care.toml"
    lines = social_care.read_text().splitlines(keepends=True)
    social_care.write_text("".join(line for line in lines if not line.startswith("article_9_condition")))
    registry = source_registry(folder)
    assert registry["childrens_social_care"].contract is None
    return registry


def _person_with(session: Session, *sources: str) -> str:
    """A person in a household with a record in each of ``sources``."""
    people = None
    for source in sources:
        having = set(
            session.scalars(
                select(PersonRecord.person_id)
                .join(LinkedPerson, LinkedPerson.person_id == PersonRecord.person_id)
                .where(PersonRecord.record_key.like(f"{source}:%"), LinkedPerson.household_id.is_not(None))
            )
        )
        people = having if people is None else people & having
    assert people, f"no linked person with records in {sources}"
    return min(people)


def _sources(session: Session, person_id: str) -> set[str]:
    keys = session.scalars(select(PersonRecord.record_key).where(PersonRecord.person_id == person_id))
    return {key.partition(":")[0] for key in keys}


def test_a_source_whose_contract_today_is_invalid_or_drops_the_purpose_is_not_shown(
    session: Session, tmp_path: Path
) -> None:
    run_linkage(session, contracts=_contracts(), config=QUICK)
    person = _person_with(session, "council_tax", "childrens_social_care")
    household = session.get(LinkedPerson, person).household_id  # type: ignore[union-attr]
    before = person_view(session, person_id=person, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    assert {"council_tax", "childrens_social_care"} <= {record.source for record in before.records}

    today = registry_today(tmp_path / "sources")
    after = person_view(session, person_id=person, purpose=PURPOSE, registry=today, viewer=OFFICER)
    assert {record.source for record in after.records}.isdisjoint({"council_tax", "childrens_social_care"})
    services = household_view(session, household_id=household, purpose=PURPOSE, registry=today, viewer=OFFICER)
    assert {s.source for s in services.services}.isdisjoint({"council_tax", "childrens_social_care"})
    # council tax still allows early help for adults, as its ingested contract did
    adults = person_view(session, person_id=person, purpose=EARLY_HELP_ADULTS, registry=today, viewer=OFFICER)
    assert "council_tax" in {record.source for record in adults.records}


def test_a_purpose_added_to_a_contract_after_ingest_does_not_reach_the_data_already_ingested(
    session: Session, tmp_path: Path
) -> None:
    run_linkage(session, contracts=_contracts(), config=QUICK)
    person = _person_with(session, "school_attendance")
    shutil.copytree(SHIPPED, tmp_path / "sources")
    school = tmp_path / "sources" / "school_attendance.toml"
    school.write_text(school.read_text().replace("purposes = [\n", f'purposes = [\n  "{EARLY_HELP_ADULTS}",\n'))
    widened = source_registry(tmp_path / "sources")
    assert EARLY_HELP_ADULTS in widened["school_attendance"].contract.purposes  # type: ignore[union-attr]
    view = person_view(session, person_id=person, purpose=EARLY_HELP_ADULTS, registry=widened, viewer=OFFICER)
    assert "school_attendance" not in {record.source for record in view.records}


def test_decisions_involving_a_source_the_purpose_does_not_cover_are_left_out_without_a_trace(session: Session) -> None:
    run_linkage(session, contracts=_contracts(), config=QUICK)
    person = _person_with(session, "council_tax")
    mine = session.scalar(
        select(PersonRecord.record_key).where(
            PersonRecord.person_id == person, PersonRecord.record_key.like("council_tax:%")
        )
    )
    pupil = session.scalar(
        select(PersonRecord.record_key)
        .where(PersonRecord.record_key.like("school_attendance:%"), PersonRecord.person_id != person)
        .order_by(PersonRecord.record_key)
    )
    assert mine and pupil
    record_officer_decision(session, record_a=mine, record_b=pupil, same_person=False,
                            reason="Secret: a pupil at the same address", decided_by="o",
                            purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)  # fmt: skip

    full = person_view(session, person_id=person, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    assert [(d.record_a, d.record_b) for d in full.decisions] == [(mine, pupil)]
    adults = person_view(session, person_id=person, purpose=EARLY_HELP_ADULTS, registry=REGISTRY, viewer=OFFICER)
    assert adults.decisions == []
    shown = adults.model_dump_json()
    assert pupil not in shown and "Secret" not in shown and "left_out" not in shown


def test_a_household_lists_only_people_an_allowed_source_knows(session: Session) -> None:
    run_linkage(session, contracts=_contracts(), config=QUICK)
    pupils_only = [
        person
        for person in session.scalars(
            select(LinkedPerson.person_id)
            .join(PersonRecord, PersonRecord.person_id == LinkedPerson.person_id)
            .where(PersonRecord.record_key.like("school_attendance:%"), LinkedPerson.household_id.is_not(None))
            .order_by(LinkedPerson.person_id)
            .limit(200)
        )
        if _sources(session, person) == {"school_attendance"}
    ]
    assert pupils_only
    pupil = pupils_only[0]
    household = session.get(LinkedPerson, pupil).household_id  # type: ignore[union-attr]
    full = household_view(session, household_id=household, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    assert pupil in full.people
    assert full.address and full.address == session.get(Property, full.uprn).address  # type: ignore[union-attr]
    adults = household_view(
        session, household_id=household, purpose=EARLY_HELP_ADULTS, registry=REGISTRY, viewer=OFFICER
    )
    assert pupil not in adults.people
    assert set(adults.people) == {person for service in adults.services for person in service.people}
    # each view audited for the household and for every person it named, so a subject access search finds it
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action.like("view_household%"))).all()
    named = [e.subject_id for e in entries if e.action == "view_household_member" and e.purpose == EARLY_HELP_ADULTS]
    assert sorted(named) == sorted(adults.people)
    assert [(e.subject_type, e.subject_id) for e in entries if e.action == "view_household"] == 2 * [
        ("household", household)
    ]


@pytest.mark.parametrize("written", ["2011-02-08 00:00:00", "2011-02-08T00:00:00", "2011-02-08T09:30:00+01:00"])
def test_a_service_involved_since_a_timestamp_keeps_its_date(session: Session, written: str) -> None:
    run_linkage(session, contracts=_contracts(), config=QUICK)
    person = _person_with(session, "council_tax")
    household = session.get(LinkedPerson, person).household_id  # type: ignore[union-attr]
    members = select(LinkedPerson.person_id).where(LinkedPerson.household_id == household)
    records = session.scalars(
        select(DatahubRecord)
        .join(PersonRecord, PersonRecord.record_key == DatahubRecord.record_key)
        .where(PersonRecord.person_id.in_(members), DatahubRecord.source == "council_tax")
    ).all()
    for record in records:  # as a Parquet extract's timestamp column is stored
        record.facts = {**record.facts, "liability_start": written}
    session.flush()
    view = household_view(session, household_id=household, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    council_tax = next(service for service in view.services if service.source == "council_tax")
    assert council_tax.since == date(2011, 2, 8)
