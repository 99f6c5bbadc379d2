"""The contact centre's review page in a real browser without JavaScript: list, label, error, each checked with axe."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.assistant.learning_factories import make_conversation
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity_pages import PASSWORD, sign_in
from townhall.config import Settings
from townhall.db import make_engine, make_session_factory, session_scope
from townhall.identity.service import create_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def reviewer(served_council: str, served_settings: Settings) -> tuple[str, int]:
    """A contact-centre officer's email, and the id of a message the assistant did not understand."""
    engine = make_engine(served_settings)
    email = f"reviewer-{uuid.uuid4().hex[:12]}@example.test"  # unique in the served database other tests share
    with session_scope(make_session_factory(engine)) as session:
        create_user(session, email=email, password=PASSWORD, roles=["contact_centre"])
        _, messages = make_conversation(session, [
            ("resident", "the orange lamp post thing is dead", "out_of_scope", 0.8),
            ("assistant", "Sorry, I did not understand that.", None, None),
            ("resident", "the street light outside is broken", "report.streetlight", 0.97),
        ])  # fmt: skip
        message_id = messages[0].id
    engine.dispose()
    return email, message_id


def test_the_review_page_lists_labels_and_explains_an_error_accessibly(
    page: Any, served_council: str, reviewer: tuple[str, int]
) -> None:
    email, message_id = reviewer
    sign_in(page, served_council, email)
    page.goto(served_council + "/assistant/review")
    assert page.locator("h1").inner_text() == "What the assistant failed on"
    assert page.get_by_text("the orange lamp post thing is dead").first.is_visible()
    assert_accessible(page)

    select = page.get_by_label(f"The intent message {message_id} expresses")
    assert select.input_value() == "report.streetlight"  # suggested from the resident's rephrasing
    select.select_option("")
    page.get_by_role("button", name=f"Save the label for message {message_id}").click()
    assert page.locator(".th-error-summary").is_visible()
    assert "Choose the intent" in page.locator(f"#intent-{message_id}-error").inner_text()
    assert_accessible(page)

    page.get_by_label(f"The intent message {message_id} expresses").select_option("report.streetlight")
    page.get_by_role("button", name=f"Save the label for message {message_id}").click()
    assert "Label saved" in page.locator(".th-notification-banner").inner_text()
    assert page.get_by_label(f"The intent message {message_id} expresses").count() == 0  # off the unlabelled list
    assert_accessible(page)
