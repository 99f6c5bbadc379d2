"""A council tax account for its holder (linked, confirmed by postcode) and for officers (with a purpose, audited)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.identity.factories import signed_in
from townhall.counciltax.models import Account
from townhall.places.models import Property
from townhall.platform.audit.models import AuditEntry


def an_account(session: Session) -> tuple[str, str]:
    reference, postcode = session.execute(
        select(Account.reference, Property.postcode).join(Property, Property.uprn == Account.uprn).limit(1)
    ).one()
    return reference, postcode


def link(client: TestClient, reference: str, postcode: str):  # type: ignore[no-untyped-def]
    token = form_token(client, "/account/link")
    return client.post(
        "/account/link",
        data={"reference": reference, "postcode": postcode.lower().replace(" ", ""), "csrf_token": token},
        follow_redirects=False,
    )


def test_a_resident_links_their_account_with_its_postcode_and_sees_their_council_tax(
    client: TestClient, session: Session
) -> None:
    signed_in(client, session, role="resident")
    reference, postcode = an_account(session)
    assert link(client, reference, postcode).status_code == 303
    account_page = client.get("/account")
    assert reference in account_page.text
    link_id = account_page.text.split("/account/links/")[1].split('"')[0]
    page = client.get(f"/account/links/{link_id}/council-tax")
    assert page.status_code == 200
    assert f"Council Tax account {reference}" in page.text
    assert "Balance" in page.text and "Instalments for" in page.text
    api = client.get(f"/api/v1/counciltax/accounts/{reference}")
    assert api.status_code == 200
    assert api.json()["reference"] == reference


def test_the_wrong_postcode_does_not_link(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    reference, _ = an_account(session)
    response = link(client, reference, "ZX99 9ZZ")
    assert response.status_code in (404, 422)
    assert reference not in client.get("/account").text


def test_a_resident_cannot_see_an_account_not_linked_to_them(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    reference, _ = an_account(session)
    response = client.get(f"/api/v1/counciltax/accounts/{reference}")
    assert response.status_code == 404


def test_officers_must_give_a_purpose_and_are_audited(client: TestClient, session: Session) -> None:
    officer = signed_in(client, session, role="contact_centre")
    reference, _ = an_account(session)
    refused = client.get(f"/api/v1/counciltax/accounts/{reference}")
    assert refused.status_code == 422 and "purpose" in refused.json()["detail"]
    seen = client.get(f"/api/v1/counciltax/accounts/{reference}", params={"purpose": "resident called about arrears"})
    assert seen.status_code == 200
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert (entry.action, entry.subject_id, entry.purpose) == (
        "view_council_tax_account",
        reference,
        "resident called about arrears",
    )
    assert entry.actor_id == officer.id


def test_roles_without_council_tax_duties_are_refused(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="analyst")
    reference, _ = an_account(session)
    assert client.get(f"/api/v1/counciltax/accounts/{reference}", params={"purpose": "x"}).status_code == 403


def test_malformed_references_are_422(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="officer")
    assert client.get("/api/v1/counciltax/accounts/12ab", params={"purpose": "x"}).status_code == 422
