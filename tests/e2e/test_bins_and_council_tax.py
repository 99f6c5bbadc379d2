"""A resident finds their bin day and checks a Council Tax band, in a real browser, without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import assert_accessible

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
