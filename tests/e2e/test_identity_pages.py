"""Sign-in, registration, a resident's account and the audit log search, in a real browser without JavaScript,
each checked with axe (WCAG 2.2 AA), including their error states."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.e2e.conftest import assert_accessible
from townhall.config import Settings
from townhall.db import make_engine, make_session_factory, session_scope
from townhall.identity.service import create_user
from townhall.platform.audit import Actor, record_access

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


@pytest.fixture
def ig_officer(served_council: str, served_settings: Settings) -> str:
    """An information governance officer's email, with some audit entries about household 4242 to find."""
    engine = make_engine(served_settings)
    email = f"ig-{next(_numbers)}@example.test"
    with session_scope(make_session_factory(engine)) as session:
        create_user(session, email=email, password=PASSWORD, roles=["ig_officer"])
        record_access(session, actor=Actor("user", 7, is_staff=True), action="view_household",
                      subject_type="household", subject_id=4242, purpose="early help review")  # fmt: skip
    engine.dispose()
    return email


def sign_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_the_sign_in_page_and_its_error_are_accessible(page: Any, served_council: str) -> None:
    page.goto(served_council + "/sign-in")
    assert page.locator("h1").inner_text() == "Sign in"
    assert_accessible(page)
    sign_in(page, served_council, "nobody@example.test", "not the right password")
    assert page.locator(".th-error-summary").is_visible()
    assert "Enter a correct email address and password" in page.locator("#email-error").inner_text()
    assert_accessible(page)


def test_registering_by_email_leads_to_an_accessible_account_page(page: Any, served_council: str) -> None:
    page.goto(served_council + "/register")
    assert_accessible(page)
    page.get_by_label("Email address").fill(f"resident-{next(_numbers)}@example.test")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill("a different password entirely")
    page.get_by_role("button", name="Create account").click()
    assert page.locator(".th-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert page.locator("h1").inner_text() == "Check your email"  # the account waits for the address's confirmation
    assert_accessible(page)
    page.get_by_role("link", name="Open the link in the email").click()  # the demo shows the email it cannot send
    assert page.locator("h1").inner_text() == "Create your account"
    assert_accessible(page)
    page.get_by_role("button", name="Create account").click()
    assert page.url.endswith("/account")
    assert page.locator("h1").inner_text() == "Your account"
    assert_accessible(page)


def test_the_audit_search_and_its_results_are_accessible(page: Any, served_council: str, ig_officer: str) -> None:
    sign_in(page, served_council, ig_officer)
    page.goto(served_council + "/audit")
    assert page.locator("h1").inner_text() == "Audit log"
    assert_accessible(page)
    page.get_by_label("Kind of record").fill("household")
    page.get_by_label("Record number").fill("4242")
    page.get_by_role("button", name="Search").click()
    assert page.locator(".th-error-summary").is_visible()  # a person's records need a purpose
    assert_accessible(page)
    page.get_by_label("Why you are searching").fill("subject access request 17")
    page.get_by_role("button", name="Search").click()
    assert "early help review" in page.locator(".th-table").inner_text()
    assert "4242" not in page.url  # searches are posted: a person's id never goes in the address
    assert_accessible(page)


def latest_reset_link(settings: Settings, email: str) -> str:
    """The path of the newest password reset link emailed to `email` (read from the outbox, as an admin would not)."""
    import re

    from sqlalchemy import select

    from townhall.platform.outbox import OutboxMessage

    engine = make_engine(settings)
    with session_scope(make_session_factory(engine)) as session:
        body = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())
        ).first()
    engine.dispose()
    found = re.search(r"/password-reset/[A-Za-z0-9_-]+", body or "")
    assert found, f"no reset link emailed to {email}"
    return found.group(0)


def test_resetting_a_forgotten_password_is_accessible_at_every_step(
    page: Any, served_council: str, served_settings: Settings
) -> None:
    email = f"forgetful-{next(_numbers)}@example.test"
    engine = make_engine(served_settings)
    with session_scope(make_session_factory(engine)) as session:
        create_user(session, email=email, password=PASSWORD, roles=["resident"])
    engine.dispose()
    page.goto(served_council + "/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    assert page.locator("h1").inner_text() == "Reset your password"
    assert_accessible(page)
    page.get_by_role("button", name="Send the link").click()  # nothing typed
    assert page.locator(".th-error-summary").is_visible()
    assert "Enter your email address" in page.locator("#email-error").inner_text()
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    assert page.locator("h1").inner_text() == "Check your email"
    assert_accessible(page)

    link = served_council + latest_reset_link(served_settings, email)
    page.goto(link)
    assert page.locator("h1").inner_text() == "Choose a new password"
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("new password for this account")
    page.get_by_label("Type the new password again").fill("a different one entirely")
    page.get_by_role("button", name="Change password").click()
    assert "The passwords do not match" in page.locator("#confirm-error").inner_text()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("new password for this account")
    page.get_by_label("Type the new password again").fill("new password for this account")
    page.get_by_role("button", name="Change password").click()
    assert page.locator("h1").inner_text() == "Your password has been changed"
    assert_accessible(page)

    page.goto(link)  # the link is used up
    assert page.locator("h1").inner_text() == "This link has expired"
    assert_accessible(page)
    sign_in(page, served_council, email, "new password for this account")
    assert page.url.endswith("/account")
