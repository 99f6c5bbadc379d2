"""A council tax account for its holder (linked, confirmed by postcode) and for officers (with a purpose, audited);
refunds and returned payments shown to the holder as such."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.counciltax.snapshot import example_texts
from tests.identity.factories import signed_in
from townhall.counciltax.accounts_import import import_accounts
from townhall.counciltax.models import Account
from townhall.identity.models import AccountLink
from townhall.places.models import Property
from townhall.platform import clock
from townhall.platform.audit.models import AuditEntry

TODAY = datetime(2026, 11, 29, 12, 0, tzinfo=clock.LONDON)


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


def linked_pages(client: TestClient, session: Session, references: dict[str, int]) -> dict[str, str]:
    """Each account (reference -> UPRN) linked by a resident, and its "your council tax" page, spaces squeezed."""
    signed_in(client, session, role="resident")
    for reference, uprn in references.items():
        home = session.get(Property, uprn)
        assert home is not None and link(client, reference, home.postcode).status_code == 303
    links = {
        row.account_reference: row.id for row in session.execute(select(AccountLink.account_reference, AccountLink.id))
    }
    pages = {reference: client.get(f"/account/links/{links[reference]}/council-tax") for reference in references}
    assert all(page.status_code == 200 for page in pages.values())
    return {reference: " ".join(page.text.split()) for reference, page in pages.items()}


def test_a_resident_sees_a_refund_to_them_and_a_zero_balance(client: TestClient, session: Session) -> None:
    import_accounts(session, texts=example_texts())
    with clock.frozen_at(TODAY):
        page = linked_pages(client, session, {"51000003": 100090000003})["51000003"]
        api = client.get("/api/v1/counciltax/accounts/51000003").json()
    assert "Payments, refunds and returned payments</caption>" in page
    assert '>Paid so far</dt> <dd class="th-summary-list__value">£467.95 (after refunds to you)' in page
    assert '>Refunded to you</dt> <dd class="th-summary-list__value">£92.05</dd>' in page
    assert '>Balance</dt> <dd class="th-summary-list__value">£0.00</dd>' in page
    assert '<td class="th-table__cell">29 August 2026</td><td class="th-table__cell">Refund to you</td>' in page
    assert "&minus;£92.05</td>" in page and "Payments returned" not in page
    money = ("paid_pence", "refunded_pence", "returned_pence", "balance_pence")
    assert [api[name] for name in money] == [46_795, 9_205, 0, 0]
    assert api["payments"][-1] == {"received": "2026-08-29", "pence": -9_205, "amount": "-£92.05", "method": "refund",
                                   "kind": "refund", "description": "Refund to you"}  # fmt: skip


def test_a_resident_sees_a_returned_direct_debit_and_what_is_overdue(client: TestClient, session: Session) -> None:
    payments = example_texts()["payments.csv"].replace("51000001,2026,2026-09-18,11250,card\n", "")
    import_accounts(session, texts=example_texts(payments=payments))
    with clock.frozen_at(TODAY):
        page = linked_pages(client, session, {"51000001": 100090000001})["51000001"]
    assert "£225.00 is overdue" in page  # September's, returned unpaid, and November's
    assert '>Paid so far</dt> <dd class="th-summary-list__value">£675.00 (after payments returned)</dd>' in page
    assert '>Payments returned</dt> <dd class="th-summary-list__value">£112.50</dd>' in page
    assert '4 September 2026</td><td class="th-table__cell">Direct debit returned</td>' in page
    assert "&minus;£112.50</td>" in page and "Refunded to you" not in page
    assert '>Balance</dt> <dd class="th-summary-list__value">£450.00</dd>' in page


def test_an_account_without_money_back_keeps_its_plain_payments_table(client: TestClient, session: Session) -> None:
    import_accounts(session, texts=example_texts())
    with clock.frozen_at(TODAY):
        page = linked_pages(client, session, {"51000002": 100090000002})["51000002"]
    assert "Payments received</caption>" in page and '<td class="th-table__cell">Card</td>' in page
    assert "Refunded to you" not in page and "Payments returned" not in page and "&minus;" not in page


def test_the_synthetic_council_has_no_instalments_or_payments_of_nothing(session: Session) -> None:
    from sqlalchemy import func, select

    from townhall.counciltax.models import BillInstalment, Payment

    assert session.scalar(select(func.count()).select_from(BillInstalment).where(BillInstalment.pence == 0)) == 0
    assert session.scalar(select(func.count()).select_from(Payment).where(Payment.pence == 0)) == 0
