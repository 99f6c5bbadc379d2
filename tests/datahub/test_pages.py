"""The single view in the browser's terms: purpose first, only allowed sources, every view audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.datahub.test_link_service import PURPOSE, QUICK, _contracts
from tests.identity.factories import signed_in
from townhall.datahub.models import LinkedPerson
from townhall.datahub.service import run_linkage
from townhall.platform.audit.models import AuditEntry

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
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert (entry.action, entry.subject_id, entry.purpose, entry.actor_id) == (
        "view_household",
        household,
        PURPOSE,
        practitioner.id,
    )
    person_path = f"/datahub/people/{person}"
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
    token = form_token(client, "/datahub/quarantine")
    assert client.post("/datahub/quarantine.csv", data={"purpose": "", "csrf_token": token}).status_code == 422
    export = client.post("/datahub/quarantine.csv", data={"purpose": "Fix the extract", "csrf_token": token})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "export_quarantine"
