"""A waste services officer records a change to collections on the staff page: in a real browser, without
JavaScript, accessible before, with an error, and after."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import OFFICER_EMAIL, OFFICER_PASSWORD, assert_accessible

pytestmark = pytest.mark.e2e


def test_an_officer_cancels_a_collection_on_the_changes_page(page: Any, served_council: str) -> None:
    page.goto(served_council + "/sign-in")
    page.get_by_label("Email address").fill(OFFICER_EMAIL)
    page.get_by_label("Password").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(served_council + "/staff")
    page.get_by_role("link", name="Changes to bin collections").click()
    assert page.locator("h1").inner_text() == "Changes to bin collections"
    assert_accessible(page)

    page.get_by_role("button", name="Record the change").click()  # nothing chosen
    assert page.locator(".th-error-summary").inner_text().startswith("There is a problem")
    assert_accessible(page)

    # The first round listed is a weekly food waste round on Mondays; a Monday a few weeks ahead.
    monday = date.today() + timedelta(days=21 - date.today().weekday() + 7)
    page.get_by_label("Round", exact=True).select_option(index=2)
    round_id = page.get_by_label("Round", exact=True).input_value()
    assert "-mon-food-" in round_id
    page.get_by_label("Usual collection day").fill(monday.isoformat())
    page.get_by_label("Cancelled").check()
    page.get_by_label("Reason (residents see it)").select_option("bad_weather")
    page.get_by_role("button", name="Record the change").click()

    assert "Change recorded" in page.locator(".th-notification-banner").inner_text()
    row = page.locator("tr", has_text=round_id)
    assert "Cancelled" in row.inner_text() and "bad weather" in row.inner_text()
    assert_accessible(page)
