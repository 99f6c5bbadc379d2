"""Creating an account: confirmed from the email address first, the same answer whether or not it has one."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.identity.factories import PASSWORD, make_user
from townhall.identity.models import PendingRegistration, User
from townhall.identity.registration import MAX_REGISTRATIONS_PER_CLIENT
from townhall.identity.timeutil import as_utc
from townhall.platform.clock import frozen_at
from townhall.platform.outbox import OutboxMessage

LINK = re.compile(r"\S+(/register/confirm/[A-Za-z0-9_-]+)")


def register(client: TestClient, email: str, password: str = PASSWORD, confirm: str | None = None) -> Any:
    data = {"email": email, "password": password, "confirm": password if confirm is None else confirm}
    return client.post("/register", data={**data, "csrf_token": form_token(client, "/register")})


def emails_to(session: Session, address: str) -> list[OutboxMessage]:
    statement = select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    return list(session.scalars(statement))


def confirmation_path(session: Session, address: str) -> str:
    found = LINK.search(emails_to(session, address)[-1].body)
    assert found is not None
    return found.group(1)


def confirm(client: TestClient, path: str) -> Any:
    return client.post(path, data={"csrf_token": form_token(client, "/sign-in")}, follow_redirects=False)


def test_an_account_is_made_only_when_the_emailed_link_is_followed(client: TestClient, session: Session) -> None:
    sent = register(client, "New.Person@Example.test")
    assert sent.status_code == 200 and "Check your email" in sent.text and "new.person@example.test" in sent.text
    assert session.scalar(select(User).where(User.email == "new.person@example.test")) is None
    path = confirmation_path(session, "new.person@example.test")
    opened = client.get(path)  # opening the link (a mail scanner may) makes nothing
    assert opened.status_code == 200 and opened.headers["cache-control"] == "no-store"
    assert session.scalar(select(User).where(User.email == "new.person@example.test")) is None
    made = confirm(client, path)
    assert made.status_code == 303 and made.headers["location"] == "/account"
    assert "new.person@example.test" in client.get("/account").text  # signed in with the password chosen
    assert session.scalar(select(func.count()).select_from(PendingRegistration)) == 0
    again = confirm(client, path)
    assert again.status_code == 404 and "expired or has already been used" in again.text


def test_an_address_with_an_account_gets_the_same_page_and_an_email_saying_so(
    client: TestClient, session: Session
) -> None:
    existing = make_user(session, role="resident")
    answer = register(client, existing.email)
    fresh = register(client, "nobody.yet@example.test")
    assert answer.status_code == fresh.status_code == 200
    assert answer.text.replace(existing.email, "X") == fresh.text.replace("nobody.yet@example.test", "X").replace(
        _demo_part(fresh.text), _demo_part(answer.text)
    )  # the same page, but for the demo's copy of each email
    told = emails_to(session, existing.email)[-1]
    assert "has one already" in told.body and "/password-reset" in told.body and "/register/confirm/" not in told.body


def _demo_part(page: str) -> str:
    start = page.find('<div class="th-inset-text">')
    return page[start : page.find("</div>", start)] if start >= 0 else ""


def test_the_demo_shows_the_email_it_does_not_send(client: TestClient, session: Session) -> None:
    sent = register(client, "demo.resident@example.test")
    assert "This site sends no email" in sent.text
    link = re.search(r'href="(/register/confirm/[^"]+)"', sent.text)
    assert link is not None and link.group(1) == confirmation_path(session, "demo.resident@example.test")


def test_a_link_lapses_after_a_day_and_a_newer_one_replaces_it(client: TestClient, session: Session) -> None:
    register(client, "late@example.test")
    first = confirmation_path(session, "late@example.test")
    register(client, "late@example.test")
    second = confirmation_path(session, "late@example.test")
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    pending = session.scalars(select(PendingRegistration)).one()
    with frozen_at(as_utc(pending.expires_at) + timedelta(seconds=1)):
        assert client.get(second).status_code == 404
    assert client.get("/register/confirm/not-a-token").status_code == 404


def test_the_form_puts_each_problem_by_its_field(client: TestClient, session: Session) -> None:
    short = register(client, "short@example.test", password="short")
    assert short.status_code == 422 and "at least 12 characters" in short.text and 'id="password-error"' in short.text
    mismatch = register(client, "short@example.test", confirm="something else entirely")
    assert mismatch.status_code == 422 and 'id="confirm-error"' in mismatch.text
    assert "<title>Error: Create an account" in mismatch.text and "Error: Error:" not in mismatch.text
    bad_address = register(client, "not an address")
    assert bad_address.status_code == 422 and 'id="email-error"' in bad_address.text
    assert emails_to(session, "short@example.test") == []


def test_registering_address_after_address_from_one_client_is_slowed_down(client: TestClient) -> None:
    for attempt in range(MAX_REGISTRATIONS_PER_CLIENT):  # each try counts, sent or refused
        assert register(client, f"probe{attempt}@example.test", password="short").status_code == 422
    limited = register(client, "new.person@example.test")
    assert limited.status_code == 429 and "too many attempts to create an account" in limited.text
