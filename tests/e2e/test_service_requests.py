"""Report a problem, follow it by its reference, and work it as an officer: in a real browser, without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import OFFICER_EMAIL, OFFICER_PASSWORD, assert_accessible

pytestmark = pytest.mark.e2e


def _report_noise(page: Any, base: str) -> str:
    """Every step of reporting noise at an address; returns the reference on the confirmation."""
    page.goto(base + "/report-a-problem")
    assert_accessible(page)
    page.get_by_role("link", name="Noise nuisance").click()
    assert page.locator("h1").inner_text() == "Noise nuisance"
    assert_accessible(page)
    page.get_by_label("Postcode").fill("ZX1 0AB")
    page.get_by_role("button", name="Find address").click()
    assert "zx1" not in page.url.lower()
    assert_accessible(page)
    first = page.locator(".th-radios__item").first
    address = first.locator("label").inner_text()
    first.locator("input").check()
    page.get_by_role("button", name="Continue").click()
    assert address in page.locator("#address_id").inner_text()
    assert_accessible(page)
    page.get_by_label("Music or parties").check()
    page.get_by_label("When do you hear it? (days and times) (optional)").fill("Friday nights")
    page.get_by_label("Describe the problem (optional)").fill("Very loud music after midnight")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Check your answers before sending your report"
    assert "Music or parties" in page.locator(".th-summary-list").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    assert page.locator(".th-panel__title").inner_text() == "Report sent"
    assert_accessible(page)
    reference = re.search(r"SR-\d{8}", page.locator(".th-panel__body").inner_text())
    assert reference is not None
    return reference.group(0)


def test_report_a_problem_then_follow_it_by_reference(page: Any, served_council: str) -> None:
    reference = _report_noise(page, served_council)
    page.get_by_role("link", name="Follow your report").click()
    page.get_by_label("Reference").fill(reference.lower())
    page.get_by_role("button", name="Find report").click()
    summary = page.locator(".th-summary-list").inner_text()
    assert reference in summary and "Noise nuisance" in summary and "Open" in summary
    assert "Very loud music" not in page.content()  # never the description or the reporter
    assert_accessible(page)


def test_an_unknown_reference_is_an_accessible_error(page: Any, served_council: str) -> None:
    page.goto(served_council + "/report-a-problem-track")
    page.get_by_label("Reference").fill("SR-99999999")
    page.get_by_role("button", name="Find report").click()
    assert page.locator(".th-error-message").is_visible()
    assert_accessible(page)


def test_an_officer_works_the_queue_and_a_request(page: Any, served_council: str) -> None:
    reference = _report_noise(page, served_council)
    page.goto(served_council + "/sign-in")
    page.get_by_label("Email address").fill(OFFICER_EMAIL)
    page.get_by_label("Password").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(served_council + "/officer/requests")
    assert page.locator("h1").inner_text() == "Service requests"
    assert_accessible(page)
    page.get_by_label("Service").select_option("noise")
    page.get_by_role("button", name="Filter").click()
    assert_accessible(page)
    page.get_by_role("link", name=reference).click()
    assert page.locator("h1").inner_text().startswith(f"{reference}: Noise nuisance")
    assert_accessible(page)
    page.get_by_label("Status", exact=True).select_option("in_progress")
    page.get_by_label("Public note").fill("An officer will visit on Friday.")
    page.get_by_role("button", name="Save").click()
    assert "In progress" in page.locator(".th-summary-list").first.inner_text()
    assert_accessible(page)
    page.goto(served_council + "/report-a-problem-track")
    page.get_by_label("Reference").fill(reference)
    page.get_by_role("button", name="Find report").click()
    assert "An officer will visit on Friday." in page.locator(".th-list").inner_text()
