"""Council tax over the database: charges, accounts from the synthetic population, and the API and pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import form_token
from townhall.counciltax import service
from townhall.counciltax.charges import round_half_up
from townhall.platform import clock
from townhall.platform.errors import InvalidInput, NotFound

AS_OF = date(2026, 11, 1)


def a_reference(session: Session, where: str = "a.ends IS NULL") -> str:
    return str(
        session.execute(
            text(f"SELECT a.reference FROM ct_accounts a WHERE {where} ORDER BY a.reference LIMIT 1")
        ).scalar_one()
    )


def test_band_d_figures_are_realistic_and_rise_within_the_limits(session: Session) -> None:
    for year in (2024, 2025, 2026):
        charges = service.charges_by_band(session, year=year, band="D")
        parts = {p.kind: p.pence for p in charges.bands[0].parts}
        assert 20_000 <= parts["district council"] <= 26_000
        assert 150_000 <= parts["county council"] <= 180_000
    d24 = service.charges_by_band(session, year=2024, band="D").bands[0].total_pence
    d26 = service.charges_by_band(session, year=2026, band="D").bands[0].total_pence
    assert d24 < d26 <= round(d24 * 1.0499**2)


def test_bands_keep_their_ninths(session: Session) -> None:
    bands = {b.band: b for b in service.charges_by_band(session, year=2026).bands}
    assert list(bands) == list("ABCDEFGH")
    for band in bands.values():
        assert band.total_pence == sum(p.pence for p in band.parts)
    assert abs(bands["A"].total_pence * 3 - bands["H"].total_pence) <= 4  # 6/9 and 18/9, rounded per body


def test_parish_adds_its_precept(session: Session) -> None:
    parish = session.execute(text("SELECT name FROM ct_parishes ORDER BY name LIMIT 1")).scalar_one()
    without = service.charges_by_band(session, year=2026, band="D").bands[0]
    with_parish = service.charges_by_band(session, year=2026, parish=parish, band="D").bands[0]
    extra = with_parish.total_pence - without.total_pence
    assert 2_000 <= extra <= 12_000
    assert with_parish.parts[-1].body == parish


def test_unknown_year_parish_or_band_is_invalid(session: Session) -> None:
    with pytest.raises(InvalidInput, match="2024/25, 2025/26, 2026/27"):
        service.charges_by_band(session, year=2031)
    with pytest.raises(InvalidInput, match="no parish called"):
        service.charges_by_band(session, year=2026, parish="Atlantis")
    with pytest.raises(InvalidInput, match="A to H"):
        service.charges_by_band(session, year=2026, band="Z")


def test_about_a_third_of_homes_get_the_single_person_discount(session: Session) -> None:
    open_accounts, discounted = session.execute(
        text(
            "SELECT count(*), count(d.account_reference) FROM ct_accounts a LEFT JOIN (SELECT DISTINCT "
            "account_reference FROM ct_discounts WHERE ends IS NULL) d ON d.account_reference = a.reference "
            "WHERE a.ends IS NULL"
        )
    ).one()
    assert 0.28 <= discounted / open_accounts <= 0.40


def test_every_occupied_home_has_one_open_account_with_8_digit_references(session: Session) -> None:
    rows = session.execute(text("SELECT uprn, count(*) FROM ct_accounts WHERE ends IS NULL GROUP BY uprn")).all()
    occupied = session.execute(
        text("SELECT count(DISTINCT uprn) FROM synthetic_residences WHERE moved_out IS NULL")
    ).scalar_one()
    assert len(rows) == occupied and all(count == 1 for _uprn, count in rows)
    references = session.execute(text("SELECT reference FROM ct_accounts")).scalars().all()
    assert all(len(r) == 8 and r.isdigit() and r.startswith("5") for r in references)


def test_moves_end_an_account_and_start_another(session: Session) -> None:
    ended = session.execute(text("SELECT count(*) FROM ct_accounts WHERE ends IS NOT NULL")).scalar_one()
    assert ended > 0


def test_instalments_add_up_to_every_bill(session: Session) -> None:
    mismatched = session.execute(
        text(
            "SELECT count(*) FROM ct_bills b JOIN (SELECT account_reference, financial_year, bill_version, "
            "sum(pence) AS total FROM ct_instalments GROUP BY 1, 2, 3) i ON i.account_reference = b.account_reference "
            "AND i.financial_year = b.financial_year AND i.bill_version = b.version WHERE i.total <> b.charge_pence"
        )
    ).scalar_one()
    assert mismatched == 0


def test_some_accounts_are_in_arrears_most_are_not(session: Session) -> None:
    accounts = session.execute(text("SELECT reference FROM ct_accounts WHERE ends IS NULL")).scalars().all()
    overdue = sum(1 for r in accounts if service.account_summary(session, reference=r, on=AS_OF).overdue_pence > 0)
    assert 0.03 <= overdue / len(accounts) <= 0.12


def test_closed_accounts_in_credit_are_refunded_and_a_few_direct_debits_come_back(session: Session) -> None:
    kinds = dict(
        session.execute(text("SELECT method, count(*) FROM ct_payments WHERE pence < 0 GROUP BY method")).all()
    )
    assert set(kinds) == {"refund", "direct debit return"}
    assert 5 <= kinds["direct debit return"] <= 60 and kinds["refund"] >= 50
    refunded_open = session.execute(
        text("SELECT count(*) FROM ct_payments p JOIN ct_accounts a ON a.reference = p.account_reference "
             "WHERE p.method = 'refund' AND a.ends IS NULL")
    ).scalar_one()  # fmt: skip
    assert refunded_open == 0  # an open account keeps its credit for the instalments to come
    overdrawn = session.execute(
        text("SELECT count(*) FROM (SELECT account_reference, financial_year FROM ct_payments "
             "GROUP BY account_reference, financial_year HAVING sum(pence) < 0) years")
    ).scalar_one()  # fmt: skip
    assert overdrawn == 0


def test_a_returned_direct_debit_shows_in_the_summary_as_such(session: Session) -> None:
    reference = a_reference(session, "EXISTS (SELECT 1 FROM ct_payments p WHERE p.account_reference = a.reference "
                                     "AND p.method = 'direct debit return' AND p.financial_year = 2026)")  # fmt: skip
    summary = service.account_summary(session, reference=reference, on=AS_OF)
    returned = [p for p in summary.payments if p.kind == "returned"]
    assert [p.description for p in returned] == ["Direct debit returned"] and summary.refunded_pence == 0
    assert summary.returned_pence == -returned[0].pence > 0
    assert summary.paid_pence == sum(p.pence for p in summary.payments if p.received <= AS_OF)
    assert summary.balance_pence == summary.charge_pence - summary.paid_pence


def test_account_summary(session: Session) -> None:
    summary = service.account_summary(session, reference=a_reference(session), on=AS_OF)
    assert summary.label == "2026/27"
    assert sum(i.pence for i in summary.instalments) == summary.charge_pence
    assert summary.balance_pence == summary.charge_pence - summary.paid_pence
    assert summary.liable_people
    with pytest.raises(NotFound):
        service.account_summary(session, reference="59999999x", on=AS_OF)


def test_a_single_person_all_year_pays_three_quarters(session: Session) -> None:
    reference = a_reference(
        session,
        "a.ends IS NULL AND a.starts < '2026-04-01' AND EXISTS (SELECT 1 FROM ct_discounts d WHERE "
        "d.account_reference = a.reference AND d.kind = 'single_person' AND d.ends IS NULL "
        "AND d.starts < '2026-04-01') AND NOT EXISTS (SELECT 1 FROM ct_bills b WHERE "
        "b.account_reference = a.reference AND b.financial_year = 2026 AND b.version > 1)",
    )
    summary = service.account_summary(session, reference=reference, on=AS_OF)
    assert any("Single person discount (25%)" in d for d in summary.discounts)
    assert summary.charge_pence == round_half_up(Fraction(summary.annual_charge_pence * 3, 4))


def test_verify_account_link(session: Session) -> None:
    reference = a_reference(session)
    postcode = session.execute(
        text("SELECT p.postcode FROM ct_accounts a JOIN properties p ON p.uprn = a.uprn WHERE a.reference = :r"),
        {"r": reference},
    ).scalar_one()
    assert service.verify_account_link(session, reference=reference, postcode=postcode.lower().replace(" ", ""))
    assert not service.verify_account_link(session, reference=reference, postcode="ZX9 9ZZ")
    assert not service.verify_account_link(session, reference="50000000", postcode=postcode)
    assert not service.verify_account_link(session, reference=reference, postcode="not a postcode")


def test_charges_api(client: TestClient) -> None:
    body = client.get("/api/v1/counciltax/charges", params={"year": 2026}).json()
    assert body["label"] == "2026/27" and [b["band"] for b in body["bands"]] == list("ABCDEFGH")
    assert client.get("/api/v1/counciltax/charges", params={"year": 2030}).status_code == 422
    bad_band = client.get("/api/v1/counciltax/charges", params={"year": 2026, "band": "Q"})
    assert bad_band.status_code == 422 and "A to H" in bad_band.json()["detail"]
    bad_parish = client.get("/api/v1/counciltax/charges", params={"year": 2026, "parish": "Atlantis"})
    assert bad_parish.status_code == 422 and "no parish called 'Atlantis'" in bad_parish.json()["detail"]
    assert client.get("/api/v1/counciltax/charges", params={"year": "2026/27"}).status_code == 422


def test_band_checker_pages(client: TestClient, sample_property: dict) -> None:
    with clock.frozen_at(datetime(2026, 11, 28, 9, tzinfo=UTC)):
        found = client.post(
            "/council-tax/band",
            data={"postcode": sample_property["postcode"], "csrf_token": form_token(client, "/council-tax/band")},
        )
        assert f'href="/council-tax/band/{sample_property["uprn"]}"' in found.text
        page = client.get(f"/council-tax/band/{sample_property['uprn']}")
    assert page.status_code == 200
    assert "2026/27" in page.text and "Wexshire County Council" in page.text
    assert client.get("/council-tax/band/123").status_code == 404
