"""The knowledge articles' staff pages in a real browser without JavaScript, checked with axe (WCAG 2.2 AA):
the list, the edit form with its preview, and its error summary; adding an article and taking it down."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity_pages import PASSWORD, sign_in
from townhall.config import Settings
from townhall.db import make_engine, make_session_factory, session_scope
from townhall.identity.service import create_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def contact_centre(served_council: str, served_settings: Settings) -> str:
    engine = make_engine(served_settings)
    email = f"editor-{uuid.uuid4().hex[:12]}@example.test"  # unique in the served database other tests share
    with session_scope(make_session_factory(engine)) as session:
        create_user(session, email=email, password=PASSWORD, roles=["contact_centre"])
    engine.dispose()
    return email


def test_editing_an_article_with_preview_and_errors_is_accessible(
    page: Any, served_council: str, contact_centre: str
) -> None:
    sign_in(page, served_council, contact_centre)
    page.goto(served_council + "/assistant/knowledge")
    assert page.locator("h1").inner_text() == "The assistant's knowledge articles"
    assert_accessible(page)
    page.get_by_role("link", name="Opening hours").click()
    page.get_by_label("The article (Markdown)").fill("Open **9am to 5pm**, Monday to Friday.")
    page.get_by_role("button", name="Preview").click()
    assert page.locator(".th-knowledge-preview strong").inner_text() == "9am to 5pm"
    assert_accessible(page)
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".th-error-summary").is_visible()
    assert "Enter a title" in page.locator("#title-error").inner_text()
    assert_accessible(page)
    page.get_by_label("Title").fill("Opening hours")
    page.get_by_role("button", name="Save").click()
    assert "is saved" in page.locator(".th-notification-banner").inner_text()
    assert_accessible(page)


def test_adding_then_taking_down_an_article_is_accessible(page: Any, served_council: str, contact_centre: str) -> None:
    sign_in(page, served_council, contact_centre)
    page.goto(served_council + "/assistant/knowledge")
    page.get_by_role("link", name="Add an article").click()
    assert page.locator("h1").inner_text() == "Add an article"
    page.get_by_role("button", name="Add the article").click()
    assert "Enter a title" in page.locator("#title-error").inner_text()
    assert_accessible(page)
    page.get_by_label("Title").fill("Saying goodbye")
    page.get_by_label("Goodbye, nothing else").check()
    page.get_by_label("The article (Markdown)").fill("Goodbye, and thank you.")
    page.get_by_role("button", name="Add the article").click()
    assert "is added" in page.locator(".th-notification-banner").inner_text()
    page.get_by_role("link", name="Saying goodbye").click()
    page.get_by_role("link", name="Take this article down").click()
    assert page.locator("h1").inner_text().startswith("Are you sure")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, take it down").click()
    assert "is taken down" in page.locator(".th-notification-banner").inner_text()
    assert page.get_by_role("link", name="Saying goodbye").count() == 0
