"""A resident finds their address with a postcode, in a real browser, without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


def test_home_page_lists_services_and_is_accessible(page: Any, served_council: str) -> None:
    page.goto(served_council + "/")
    assert page.title().startswith("Services")
    assert page.get_by_role("link", name="Find an address").is_visible()
    assert_accessible(page)


def test_find_an_address_by_postcode_and_open_it(page: Any, served_council: str) -> None:
    page.goto(served_council + "/find-address")
    assert_accessible(page)
    page.get_by_label("Postcode").fill("zx1 0ab")
    page.get_by_role("button", name="Find address").click()
    heading = page.locator("#results-heading").inner_text()
    assert re.match(r"\d+ address(es)? at ZX1 0AB", heading)
    assert "zx1 0ab" not in page.url.lower()  # the postcode is never in the web address
    assert_accessible(page)
    first = page.locator(".th-address-list a").first
    address = first.inner_text()
    first.click()
    assert page.locator("h1").inner_text() == address
    assert page.get_by_text("Council Tax band").is_visible()
    assert_accessible(page)


def test_a_wrong_postcode_shows_an_accessible_error(page: Any, served_council: str) -> None:
    page.goto(served_council + "/find-address")
    page.get_by_label("Postcode").fill("banana")
    page.get_by_role("button", name="Find address").click()
    assert page.title().startswith("Error:")
    assert page.locator(".th-error-summary").is_visible()
    assert "not in the format of a UK postcode" in page.locator("#postcode-error").inner_text()
    assert_accessible(page)
