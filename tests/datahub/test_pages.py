"""The single view in the browser's terms: purpose first, only allowed sources, every view audited."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import conftest
from tests.conftest import form_token
from tests.datahub.test_link_service import PURPOSE, QUICK, _contracts
from tests.datahub.test_views import registry_today
from tests.identity.factories import signed_in
from townhall.datahub.models import LinkedPerson, OfficerDecision, PersonRecord
from townhall.datahub.service import run_linkage
from townhall.places.models import Property
from townhall.platform.audit.models import AuditEntry
from townhall.web.app import create_app
from townhall.web.deps import get_session

pytestmark = pytest.mark.slow


def linked_household(session: Session) -> tuple[str, str]:
    run_linkage(session, contracts=_contracts(), config=QUICK)
    household, person = session.execute(
        select(LinkedPerson.household_id, LinkedPerson.person_id)
        .where(LinkedPerson.household_id.is_not(None))
        .order_by(LinkedPerson.person_id)
        .limit(1)
    ).one()
    return household, person


def test_a_practitioner_sees_a_household_only_with_a_purpose_and_is_audited(
    client: TestClient, session: Session
) -> None:
    household, person = linked_household(session)
    practitioner = signed_in(client, session, role="early_help")
    path = f"/datahub/households/{household}"
    asked = client.get(path)
    assert asked.status_code == 200 and "Why do you need this record?" in asked.text
    refused = client.post(path, data={"purpose": "", "csrf_token": form_token(client, path)})
    assert refused.status_code == 422 and "purpose is required" in refused.text
    shown = client.post(path, data={"purpose": PURPOSE, "csrf_token": form_token(client, path)})
    assert shown.status_code == 200 and "Services involved" in shown.text and person in shown.text
    assert "Information as of" in shown.text  # how current each service's information is
    uprn = int(household.removeprefix("H"))
    address = session.scalar(select(Property.address).where(Property.uprn == uprn))
    assert f"({html.escape(str(address))}, UPRN {uprn})" in shown.text  # where they live, not a number only
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "view_household").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None
    assert (entry.action, entry.subject_id, entry.purpose, entry.actor_id) == (
        "view_household",
        household,
        PURPOSE,
        practitioner.id,
    )
    person_path = f"/datahub/people/{person}"
    # each person opens from the household page for the same purpose, without asking for it again
    assert f'<form method="post" action="{person_path}"' in shown.text
    assert f'<input type="hidden" name="purpose" value="{PURPOSE}">' in shown.text
    person_page = client.post(person_path, data={"purpose": PURPOSE, "csrf_token": form_token(client, person_path)})
    assert person_page.status_code == 200 and "Records linked to this person" in person_page.text


def test_a_purpose_no_source_allows_shows_nothing(client: TestClient, session: Session) -> None:
    household, _ = linked_household(session)
    signed_in(client, session, role="early_help")
    path = f"/datahub/households/{household}"
    response = client.post(path, data={"purpose": "Marketing", "csrf_token": form_token(client, path)})
    assert response.status_code == 422 and "No data hub source may be used" in response.text


def test_residents_and_officers_cannot_see_the_single_view(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="officer")
    assert client.get("/datahub/households/H100090000001").status_code == 403
    assert client.get("/datahub/quarantine").status_code == 403


def test_the_quarantine_page_and_its_audited_export(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="ig_officer")
    page = client.get("/datahub/quarantine")
    assert page.status_code == 200 and "Rows held back at ingestion" in page.text
    viewed = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert viewed is not None and (viewed.action, viewed.subject_id) == ("view_quarantine", "all")
    token = form_token(client, "/datahub/quarantine")
    assert client.post("/datahub/quarantine.csv", data={"purpose": "", "csrf_token": token}).status_code == 422
    export = client.post("/datahub/quarantine.csv", data={"purpose": "Fix the extract", "csrf_token": token})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "export_quarantine"


def _person_page(client: TestClient, person: str, purpose: str = PURPOSE) -> str:
    path = f"/datahub/people/{person}"
    page = client.post(path, data={"purpose": purpose, "csrf_token": form_token(client, path)})
    assert page.status_code == 200, page.text
    return page.text


def _decide(client: TestClient, person: str, **fields: str):  # type: ignore[no-untyped-def]
    token = form_token(client, f"/datahub/people/{person}")
    data = {"person_id": person, "purpose": PURPOSE, "csrf_token": token, **fields}
    return client.post("/datahub/decisions", data=data)


def _own_and_other_record(session: Session, person: str) -> tuple[str, str]:
    own = session.scalar(
        select(PersonRecord.record_key).where(PersonRecord.person_id == person).order_by(PersonRecord.record_key)
    )
    other = session.scalar(
        select(PersonRecord.record_key)
        .where(PersonRecord.person_id != person, PersonRecord.record_key.like("council_tax:%"))
        .order_by(PersonRecord.record_key)
    )
    assert own and other
    return own, other


def test_a_missed_link_is_recorded_from_the_person_page(client: TestClient, session: Session) -> None:
    _, person = linked_household(session)
    signed_in(client, session, role="early_help")
    page = _person_page(client, person)
    assert "Record a missed link" in page and 'name="same_person" value="yes"' in page
    own, other = _own_and_other_record(session, person)
    done = _decide(client, person, record_a=own, record_b=other, same_person="yes", reason="Same NI number")
    assert done.status_code == 200 and "Decision recorded" in done.text and "the same person" in done.text
    decision = session.scalars(select(OfficerDecision)).one()
    assert (decision.record_a, decision.record_b, decision.same_person) == (own, other, True)


def test_a_refused_decision_shows_the_person_page_again_with_the_messages_by_field(
    client: TestClient, session: Session
) -> None:
    _, person = linked_household(session)
    signed_in(client, session, role="early_help")
    own, _ = _own_and_other_record(session, person)
    typed = "They share a phone number & a date of birth"
    unknown = _decide(client, person, record_a=own, record_b="council_tax:NOPE", same_person="yes", reason=typed)
    assert unknown.status_code == 422
    assert "There is a problem" in unknown.text and 'href="#merge-record_b"' in unknown.text
    assert 'id="merge-record_b-error"' in unknown.text and "There is no record council_tax:NOPE" in unknown.text
    assert 'value="council_tax:NOPE"' in unknown.text and typed.replace("&", "&amp;") in unknown.text
    assert f"Person {person}" in unknown.text and "Page not found" not in unknown.text
    empty = _decide(client, person, record_a=own, record_b="", same_person="yes", reason="")
    assert empty.status_code == 422
    assert 'href="#merge-record_b"' in empty.text and 'href="#merge-reason"' in empty.text
    assert "Enter why they are the same person" in empty.text


def test_a_contradicting_decision_is_a_409_with_the_reason_on_the_page(client: TestClient, session: Session) -> None:
    _, person = linked_household(session)
    signed_in(client, session, role="early_help")
    own, other = _own_and_other_record(session, person)
    third = session.scalar(
        select(PersonRecord.record_key)
        .where(PersonRecord.record_key.like("council_tax:%"), PersonRecord.record_key.not_in([own, other]))
        .order_by(PersonRecord.record_key.desc())
    )
    assert third
    other_person = session.scalar(select(PersonRecord.person_id).where(PersonRecord.record_key == other))
    assert other_person
    # each decision from the page of the person its first record belongs to
    for page, a, b in ((person, own, other), (other_person, other, third)):
        assert _decide(client, page, record_a=a, record_b=b, same_person="yes", reason="Same").status_code == 200
    against = _decide(client, person, record_a=own, record_b=third, same_person="no", reason="Not the same")
    assert against.status_code == 409 and "This has already been done" not in against.text
    assert 'href="#split-record_b"' in against.text and "contradicts earlier ones" in against.text
    assert "Not the same" in against.text


def test_a_mistyped_id_in_an_address_gets_a_sentence_not_a_pattern(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="early_help")
    for path in ("/datahub/people/th123", "/datahub/households/100090000001"):
        response = client.get(path)
        assert response.status_code == 404 and "for example" in response.text
        assert "should match pattern" not in response.text


def test_the_pages_follow_the_source_contracts_the_deployment_has_today(
    council_database: conftest.TestDatabase, session: Session, tmp_path: Path
) -> None:
    household, person = linked_household(session)
    settings = council_database.settings.model_copy(update={"datahub_sources": tmp_path / "sources"})
    registry_today(tmp_path / "sources")
    app = create_app(settings)

    def shared_session() -> Iterator[Session]:
        yield session
        session.commit()

    app.dependency_overrides[get_session] = shared_session
    with TestClient(app, raise_server_exceptions=False) as client:
        signed_in(client, session, role="early_help")
        shown = session.scalars(select(PersonRecord.record_key).where(PersonRecord.person_id == person)).all()
        page = _person_page(client, person)
        assert not any(key.startswith(("council_tax:", "childrens_social_care:")) and key in page for key in shown)
        path = f"/datahub/households/{household}"
        households = client.post(path, data={"purpose": PURPOSE, "csrf_token": form_token(client, path)})
        assert "revenues@council.example" not in households.text
    app.state.engine.dispose()
