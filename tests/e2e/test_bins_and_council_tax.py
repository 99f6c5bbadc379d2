"""A resident finds their bin day, checks a Council Tax band and reads their own account (with its refunds and
returned direct debits), in a real browser, without JavaScript."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity_pages import PASSWORD, sign_in
from townhall.config import Settings
from townhall.counciltax.models import Bill, Payment
from townhall.db import make_engine, make_session_factory, session_scope
from townhall.identity.models import AccountLink
from townhall.identity.service import create_user

pytestmark = pytest.mark.e2e


def test_find_bin_day_by_postcode_then_address(page: Any, served_council: str) -> None:
    page.goto(served_council + "/bin-day")
    assert_accessible(page)
    page.get_by_label("Postcode").fill("zx1 0ab")
    page.get_by_role("button", name="Find address").click()
    assert "zx1 0ab" not in page.url.lower()  # the postcode is never in the web address
    assert re.match(r"Choose your address: \d+ at ZX1 0AB", page.locator("#results-heading").inner_text())
    assert_accessible(page)
    first = page.locator(".th-address-list a").first
    address = first.inner_text()
    first.click()
    assert page.locator("h1").inner_text() == address
    collections = page.locator("#next-collections").inner_text()
    for stream in ("Rubbish", "Recycling", "Food waste", "Garden waste"):
        assert stream in collections
    assert page.get_by_role("link", name="your bin collection calendar").get_attribute("href").endswith(".ics")
    assert_accessible(page)


def test_a_wrong_postcode_on_the_bin_day_page_is_an_accessible_error(page: Any, served_council: str) -> None:
    page.goto(served_council + "/bin-day")
    page.get_by_label("Postcode").fill("banana")
    page.get_by_role("button", name="Find address").click()
    assert page.locator(".th-error-summary").is_visible()
    assert_accessible(page)


def test_check_a_council_tax_band_and_charge(page: Any, served_council: str) -> None:
    page.goto(served_council + "/council-tax/band")
    assert_accessible(page)
    page.get_by_label("Postcode").fill("ZX1 0AB")
    page.get_by_role("button", name="Find address").click()
    assert "zx1" not in page.url.lower()
    page.locator(".th-address-list a").first.click()
    assert re.match(r"Band [A-H]", page.locator(".th-panel__title").inner_text())
    assert "Wexshire County Council" in page.locator("table").inner_text()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("method", "words"), [("refund", "Refund to you"), ("direct debit return", "Direct debit returned")]
)
def test_a_resident_reads_money_going_back_on_their_own_account(
    page: Any, served_council: str, served_settings: Settings, method: str, words: str
) -> None:
    engine = make_engine(served_settings)
    email = f"money-back-{method.replace(' ', '-')}@example.test"
    with session_scope(make_session_factory(engine)) as session:
        this_year = select(Bill.account_reference).where(Bill.financial_year == 2026)
        reference = session.scalars(
            select(Payment.account_reference)
            .where(Payment.method == method, Payment.financial_year == 2026, Payment.account_reference.in_(this_year))
            .order_by(Payment.account_reference)
            .limit(1)
        ).one()
        user = create_user(session, email=email, password=PASSWORD, roles=["resident"])
        link = AccountLink(user_id=user.id, account_reference=reference, linked_at=datetime.now(UTC))
        session.add(link)
        session.flush()
        link_id = link.id
    engine.dispose()
    sign_in(page, served_council, email)
    page.goto(f"{served_council}/account/links/{link_id}/council-tax")
    assert page.locator("h1").inner_text().startswith("Your Council Tax")
    payments = page.get_by_role("table", name=re.compile("Payments, refunds and returned payments"))
    assert words in payments.inner_text() and "−£" in payments.inner_text()
    assert_accessible(page)
