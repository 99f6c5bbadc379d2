from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session

from townhall.datahub.linkage import LinkageConfig
from townhall.datahub.models import IngestBatch, LinkageEvent, LinkageRun, LinkedPerson, PersonRecord
from townhall.datahub.service import (
    evaluate_latest_run,
    household_view,
    latest_batches,
    load_records,
    needs_first_linkage,
    person_view,
    read_ground_truth,
    record_officer_decision,
    record_sources,
    run_linkage,
    source_registry,
)
from townhall.datahub.synthetic import GROUND_TRUTH_FILE, extracts_folder_for
from townhall.platform.audit import Actor
from townhall.platform.clock import LONDON
from townhall.platform.errors import Conflict, Forbidden, InvalidInput, NotFound

pytestmark = pytest.mark.slow
QUICK = LinkageConfig(u_max_pairs=2e5)  # fewer random pairs for u: faster training, same clusters here
OFFICER = Actor("user", 1, is_staff=True)
PURPOSE = "Keep one accurate record of each resident across council services"
EARLY_HELP_ADULTS = "Find residents who may need early help, for a practitioner to review"
REGISTRY = source_registry()
DECIDE = {"purpose": PURPOSE, "registry": REGISTRY, "viewer": OFFICER}


def _contracts():
    return {name: source.contract for name, source in source_registry().items()}


def _assignment(session: Session) -> dict[str, str]:
    return dict(session.execute(select(PersonRecord.record_key, PersonRecord.person_id)).all())  # type: ignore[arg-type]


def _a_household_with_a_pupil(session: Session) -> str:
    """A household in which someone is known to the school attendance source."""
    return session.execute(
        select(LinkedPerson.household_id)
        .join(PersonRecord, PersonRecord.person_id == LinkedPerson.person_id)
        .where(PersonRecord.record_key.like("school_attendance:%"), LinkedPerson.household_id.is_not(None))
        .limit(1)
    ).scalar_one()


def _truth(session: Session):
    folder = extracts_folder_for(session.get_bind().engine.url.render_as_string(hide_password=False))
    return read_ground_truth(Path(folder) / GROUND_TRUTH_FILE)


def test_linking_the_synthetic_extracts_finds_people_and_households(session: Session) -> None:
    report = run_linkage(session, contracts=_contracts())  # the default model, as the CLI runs it
    assert report.records > 4000 and 2000 < report.people < report.records
    assert 0 < report.households < report.people
    evaluation = evaluate_latest_run(session, truth=_truth(session), explain=1)
    assert evaluation.pairwise.f1 > 0.95 and evaluation.bcubed.f1 > 0.97
    assert "Final score" in evaluation.explanations or "No missed" in evaluation.explanations
    run = session.scalar(select(LinkageRun).order_by(LinkageRun.id.desc()))
    assert run is not None and run.parameters["threshold"] == LinkageConfig().threshold
    assert run.metrics["people"] == report.people


def test_a_second_run_keeps_every_person_id_and_an_officer_split_is_respected(session: Session) -> None:
    run_linkage(session, contracts=_contracts(), config=QUICK)
    first = _assignment(session)
    second_report = run_linkage(session, contracts=_contracts(), config=QUICK)
    assert _assignment(session) == first
    assert second_report.merges == second_report.splits == 0
    person, records = next(
        (p, sorted(k for k, v in first.items() if v == p))
        for p in sorted(set(first.values()))
        if sum(v == p for v in first.values()) >= 2
    )
    record_officer_decision(
        session,
        record_a=records[0],
        record_b=records[1],
        same_person=False,
        reason="Different people: father and son",
        decided_by="officer.one",
        purpose=PURPOSE,
        registry=REGISTRY,
        viewer=OFFICER,
    )
    third = run_linkage(session, contracts=_contracts(), reuse_model=True)
    after = _assignment(session)
    assert after[records[0]] != after[records[1]]
    assert person in (after[records[0]], after[records[1]])  # one side keeps the lasting id
    assert third.splits >= 1 and third.decisions_applied == 1
    events = session.scalars(select(LinkageEvent).where(LinkageEvent.kind == "split")).all()
    assert any(event.person_id == person for event in events)
    numbers = [int(pid.removeprefix("TH")) for pid in after.values()]
    assert max(numbers) > max(int(pid.removeprefix("TH")) for pid in first.values())  # a new id, never a reused one


def test_contradicting_or_unknown_decisions_are_refused(session: Session) -> None:
    keys = sorted(_truth(session).index)[:3]
    a, b, c = keys
    record_officer_decision(session, record_a=a, record_b=b, same_person=True, reason="r", decided_by="o", **DECIDE)
    record_officer_decision(session, record_a=b, record_b=c, same_person=True, reason="r", decided_by="o", **DECIDE)
    with pytest.raises(Conflict, match="contradicts"):
        record_officer_decision(
            session, record_a=a, record_b=c, same_person=False, reason="r", decided_by="o", **DECIDE
        )
    with pytest.raises(InvalidInput, match="no record council_tax:nope"):
        record_officer_decision(
            session,
            record_a=a,
            record_b="council_tax:nope",
            same_person=True,
            reason="r",
            decided_by="o",
            **DECIDE,
        )
    with pytest.raises(InvalidInput):
        record_officer_decision(session, record_a=a, record_b=b, same_person=True, reason=" ", decided_by="o", **DECIDE)


def test_the_views_show_only_sources_that_allow_the_purpose(session: Session) -> None:
    run_linkage(session, contracts=_contracts(), config=QUICK)
    household = _a_household_with_a_pupil(session)
    full = household_view(session, household_id=household, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    sources = {service.source for service in full.services}
    assert "school_attendance" in sources
    assert all(service.lead_contact.endswith("@council.example") for service in full.services)
    council_tax = next((s for s in full.services if s.source == "council_tax"), None)
    assert council_tax is None or council_tax.since is not None
    narrower = household_view(
        session, household_id=household, purpose=EARLY_HELP_ADULTS, registry=REGISTRY, viewer=OFFICER
    )
    assert "school_attendance" not in {service.source for service in narrower.services}
    with pytest.raises(Forbidden):
        household_view(session, household_id=household, purpose="Marketing", registry=REGISTRY, viewer=OFFICER)
    with pytest.raises(NotFound):
        household_view(session, household_id="H0", purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    person = full.people[0]
    view = person_view(session, person_id=person, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    assert view.household_id == household and view.records
    keys = {record.record_key for record in view.records}
    assert all(match.record_a in keys and match.record_b in keys for match in view.matches)
    if len(view.records) > 1:
        assert view.matches and all(match.match_probability >= 0.99 for match in view.matches)


def test_linking_refuses_records_of_a_source_without_a_usable_contract(session: Session) -> None:
    contracts = _contracts()
    del contracts["antisocial_behaviour"]
    with pytest.raises(InvalidInput, match="antisocial_behaviour cannot be linked"):
        run_linkage(session, contracts=contracts)
    with pytest.raises(InvalidInput, match="no earlier run"):
        run_linkage(session, contracts=_contracts(), reuse_model=True)
    assert session.scalar(select(func.count()).select_from(LinkageRun)) == 0


def test_a_run_can_link_on_the_uprns_sources_gave_only(session: Session) -> None:
    run_linkage(session, contracts=_contracts(), config=QUICK, inferred_uprns=False)
    run = session.scalar(select(LinkageRun).order_by(LinkageRun.id.desc()))
    assert run is not None and run.parameters["inferred_uprns"] is False
    # households still come from matched UPRNs: school pupils (no UPRN in their extract) live somewhere
    pupils = session.scalar(
        select(func.count())
        .select_from(PersonRecord)
        .join(LinkedPerson, LinkedPerson.person_id == PersonRecord.person_id)
        .where(PersonRecord.record_key.like("school_attendance:%"), LinkedPerson.household_id.is_not(None))
    )
    assert pupils and pupils > 100


def _indexes(session: Session) -> dict[str, list[str]]:
    inspector = inspect(session.connection())
    tables = ("datahub_person_records", "datahub_people", "datahub_matches")
    return {table: sorted(str(index["name"]) for index in inspector.get_indexes(table)) for table in tables}


def test_a_run_leaves_its_tables_with_the_indexes_the_migrations_made(session: Session) -> None:
    # On SQLite the run drops these indexes for its bulk write and builds them again
    before = _indexes(session)
    run_linkage(session, contracts=_contracts(), config=QUICK)
    assert all(before.values()) and _indexes(session) == before
    assert session.scalar(select(func.count()).select_from(PersonRecord)) > 0


def test_record_sources_lists_the_sources_of_the_ingested_records(session: Session) -> None:
    sources = record_sources(session)
    assert len(sources) == 6 and sources == sorted(set(load_records(session)["source"]))


def test_before_the_first_run_the_views_say_the_records_are_not_linked_yet(session: Session) -> None:
    assert needs_first_linkage(session)  # the synthetic council ingested its extracts but never linked them
    for view, subject in ((household_view, {"household_id": "H1"}), (person_view, {"person_id": "TH00000001"})):
        with pytest.raises(NotFound, match="has not linked its records yet"):
            view(session, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER, **subject)  # type: ignore[operator]
    run_linkage(session, contracts=_contracts(), config=QUICK)
    assert not needs_first_linkage(session)
    with pytest.raises(NotFound, match="no household H1 in the latest linkage run"):
        household_view(session, household_id="H1", purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)


def test_the_views_say_how_current_each_services_information_is(session: Session) -> None:
    run_linkage(session, contracts=_contracts(), config=QUICK)
    household = _a_household_with_a_pupil(session)
    school = next(batch for batch in latest_batches(session) if batch.source == "school_attendance")
    # half past midnight in summer: still the 14th in UTC, the 15th in the UK
    session.execute(
        update(IngestBatch)
        .where(IngestBatch.id == school.id)
        .values(ingested_at=datetime(2026, 7, 15, 0, 30, tzinfo=LONDON))
    )
    session.expire_all()
    view = household_view(session, household_id=household, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    as_of = {service.source: service.information_as_of for service in view.services}
    assert as_of["school_attendance"] == date(2026, 7, 15)
    # its contract expects an extract every week; the others were ingested when the test council was built
    stale = {service.source for service in view.services if service.out_of_date}
    assert stale == {"school_attendance"}
    pupil = next(service for service in view.services if service.source == "school_attendance").people[0]
    person = person_view(session, person_id=pupil, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    assert {(r.source, r.information_as_of, r.out_of_date) for r in person.records if r.out_of_date} == {
        ("school_attendance", date(2026, 7, 15), True)
    }
