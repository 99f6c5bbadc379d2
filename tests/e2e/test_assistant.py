"""The assistant's chat page and the contact centre's queue in a real browser: without JavaScript (axe-checked),
and the chat page with it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.e2e.conftest import CONTACT_CENTRE_EMAIL, OFFICER_PASSWORD, assert_accessible
from tests.service_requests.factories import make_request
from townhall.config import Settings
from townhall.db import make_engine, make_session_factory, session_scope
from townhall.platform import clock

pytestmark = pytest.mark.e2e
TUESDAY_MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=clock.LONDON)


@pytest.fixture(autouse=True)
def in_office_hours() -> Iterator[None]:
    # The server runs in this process, so the frozen clock is its clock too.
    with clock.frozen_at(TUESDAY_MORNING):
        yield


def _ask(page: Any, base: str, text: str) -> str:
    page.goto(base + "/assistant")
    page.get_by_label("What would you like to ask?").fill(text)
    page.get_by_role("button", name="Send").click()
    found = re.search(r"/assistant/c/([0-9a-f\-]{36})", page.url)
    assert found, page.url
    return found.group(1)


def test_asking_the_assistant_without_javascript(page: Any, served_council: str) -> None:
    page.goto(served_council + "/assistant")
    assert page.locator("h1").inner_text() == "Ask the council's assistant"
    assert_accessible(page)
    page.get_by_role("button", name="Send").click()
    summary = page.locator(".th-error-summary")
    assert summary.is_visible() and "Type a message" in summary.inner_text()
    assert_accessible(page)
    _ask(page, served_council, "when is my bin day")
    assert "What is your postcode?" in page.locator("#transcript").inner_text()
    assert_accessible(page)
    page.get_by_label("Your message").fill("ZX1 0AB")
    page.get_by_role("button", name="Send").click()
    options = page.locator(".th-chat__option-list button")
    assert options.count() > 0
    assert_accessible(page)
    options.first.click()
    assert "/bin-day/" in page.locator("#latest").inner_text()
    assert page.locator("#latest a.th-link").get_attribute("href").startswith("/bin-day/")  # a link, made safely
    assert_accessible(page)


def _sign_in_as_contact_centre(browser: Any, base: str) -> Any:
    context = browser.new_context(java_script_enabled=False)
    staff_page = context.new_page()
    staff_page.goto(base + "/sign-in")
    staff_page.get_by_label("Email address").fill(CONTACT_CENTRE_EMAIL)
    staff_page.get_by_label("Password").fill(OFFICER_PASSWORD)
    staff_page.get_by_role("button", name="Sign in").click()
    return staff_page


def test_an_officer_takes_over_and_replies(page: Any, browser: Any, served_council: str) -> None:
    conversation_id = _ask(page, served_council, "<b>can i speak to a person</b>")
    assert "A person will reply here shortly" in page.locator("#transcript").inner_text()
    assert "<b>can i speak" in page.locator("#transcript").inner_text()  # shown as typed, not as markup
    staff_page = _sign_in_as_contact_centre(browser, served_council)
    try:
        staff_page.goto(served_council + "/assistant/queue")
        assert staff_page.locator("h1").inner_text() == "Conversations handed off by the assistant"
        assert_accessible(staff_page)
        staff_page.locator(f'a[href="/assistant/queue/{conversation_id}"]').first.click()
        assert_accessible(staff_page)
        staff_page.get_by_role("button", name="Take over").click()
        assert staff_page.locator("#taken-by").inner_text().startswith("You")
        staff_page.get_by_role("button", name="Send reply").click()
        assert staff_page.locator(".th-error-summary").is_visible()
        assert_accessible(staff_page)
        staff_page.get_by_label("Your reply (the resident sees it with your first name)").fill("Hello, this is Cara.")
        staff_page.get_by_role("button", name="Send reply").click()
        page.reload()
        assert "Cara (council staff)" in page.locator("#transcript").inner_text()
        page.get_by_label("Your message").fill("thank you, my bin was missed")
        page.get_by_role("button", name="Send").click()
        assert "Your message has been passed to Cara." in page.locator("#latest").inner_text()
        staff_page.get_by_label("Answered the resident's question").check()
        staff_page.get_by_role("button", name="Close the conversation").click()
        assert staff_page.locator("h1").inner_text() == "Conversations handed off by the assistant"
    finally:
        staff_page.context.close()


def test_the_chat_page_with_javascript(browser: Any, served_council: str) -> None:
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    try:
        conversation_id = _ask(page, served_council, "can i speak to a person")
        address = page.url
        page.get_by_label("Your message").fill("hello, anyone there?")
        page.get_by_role("button", name="Send").click()
        # The message and its acknowledgement, added without loading a page (CSP forbids wait_for_function).
        page.locator("#transcript li").nth(3).wait_for()
        assert page.url == address and page.get_by_label("Your message").input_value() == ""
        assert "passed to the team" in page.locator("#transcript").inner_text()
        staff_page = _sign_in_as_contact_centre(browser, served_council)
        try:
            staff_page.goto(f"{served_council}/assistant/queue/{conversation_id}")
            staff_page.get_by_label("Your reply (the resident sees it with your first name)").fill(
                "Hello from Cara: see /report-a-problem"
            )
            staff_page.get_by_role("button", name="Send reply").click()
        finally:
            staff_page.context.close()
        page.wait_for_selector(".th-chat__message--officer", timeout=15_000)  # fetched by the page's polling
        assert page.locator(".th-chat__message--officer a").get_attribute("href") == "/report-a-problem"
    finally:
        context.close()


def test_a_replys_links_appear_with_javascript(browser: Any, served_council: str, served_settings: Settings) -> None:
    engine = make_engine(served_settings)
    with session_scope(make_session_factory(engine)) as session:
        reference = make_request(session).reference
    engine.dispose()
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    try:
        _ask(page, served_council, "hello")
        page.get_by_label("Your message").fill(f"what is the status of {reference}")
        page.get_by_role("button", name="Send").click()
        link = page.locator(".th-chat__links a").last
        link.wait_for()  # added by the script from the messages API, without loading a page
        assert link.inner_text() == "Follow a report" and link.get_attribute("href") == "/report-a-problem-track"
    finally:
        context.close()


def test_choosing_an_option_with_javascript_keeps_keyboard_focus_in_the_conversation(
    browser: Any, served_council: str
) -> None:
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    try:
        _ask(page, served_council, "when is my bin day")
        page.get_by_label("Your message").fill("ZX1 0AB")
        page.get_by_role("button", name="Send").click()
        option = page.locator(".th-chat__option-list button").first
        option.wait_for()
        option.focus()
        page.keyboard.press("Enter")
        page.locator(".th-chat__option-list button").first.wait_for(state="detached")
        page.locator("#message:focus").wait_for()  # not the page's body, where a removed button leaves it
    finally:
        context.close()
