"""Forgotten passwords: a link by email that works once, for an hour, without telling anyone who has an account."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.identity.factories import PASSWORD, make_user, sign_in
from townhall.identity.models import LoginSession, PasswordResetToken
from townhall.identity.password_reset import MAX_REQUESTS_PER_CLIENT, MAX_REQUESTS_PER_EMAIL
from townhall.identity.passwords import password_problem
from townhall.identity.service import create_user
from townhall.identity.timeutil import utc_now
from townhall.platform.audit import AuditEntry
from townhall.platform.clock import frozen_at
from townhall.platform.outbox import OutboxMessage

NEW_PASSWORD = "purple kettle harbour lantern"
LINK = re.compile(r"(\S+)/password-reset/([A-Za-z0-9_-]+)")


def ask_for_link(client: TestClient, email: str) -> Any:
    token = form_token(client, "/password-reset")
    return client.post("/password-reset", data={"email": email, "csrf_token": token})


def reset_emails(session: Session, email: str) -> list[OutboxMessage]:
    statement = select(OutboxMessage).where(OutboxMessage.recipient == email, OutboxMessage.subject.like("Reset%"))
    return list(session.scalars(statement.order_by(OutboxMessage.id)))


def link_path(message: OutboxMessage) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return f"/password-reset/{found.group(2)}"


def emailed_link(client: TestClient, session: Session, email: str) -> str:
    assert ask_for_link(client, email).status_code == 200
    return link_path(reset_emails(session, email)[-1])


def choose(client: TestClient, path: str, password: str = NEW_PASSWORD, confirm: str | None = None) -> Any:
    token = form_token(client, path) if client.get(path).status_code == 200 else form_token(client, "/sign-in")
    data = {"password": password, "confirm": password if confirm is None else confirm, "csrf_token": token}
    return client.post(path, data=data)


def test_the_sign_in_page_links_to_the_reset_form(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert 'href="/password-reset"' in page.text and "Forgotten your password?" in page.text
    form = client.get("/password-reset")
    assert form.status_code == 200 and "novalidate" in form.text and 'name="csrf_token"' in form.text


def test_a_known_and_an_unknown_email_get_the_same_answer(client: TestClient, session: Session) -> None:
    user = make_user(session)
    unknown = "nobody-at-all@example.test"
    known_answer, unknown_answer = ask_for_link(client, user.email), ask_for_link(client, unknown)
    assert known_answer.status_code == unknown_answer.status_code == 200
    assert "Check your email" in known_answer.text
    assert known_answer.text.replace(user.email, "ADDRESS") == unknown_answer.text.replace(unknown, "ADDRESS")


def test_an_email_is_queued_only_for_a_real_account(client: TestClient, session: Session) -> None:
    user = make_user(session)
    ask_for_link(client, "nobody-at-all@example.test")
    assert reset_emails(session, "nobody-at-all@example.test") == []
    ask_for_link(client, f"  {user.email.upper()} ")  # as people type it
    [message] = reset_emails(session, user.email)
    assert message.request_id is None and message.sent_at is None
    found = LINK.search(message.body)
    assert found and found.group(1) == "http://127.0.0.1:8000"  # TOWNHALL_PUBLIC_URL, never the Host header
    # only the token's hash is kept
    stored = session.scalars(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)).one()
    assert stored.token_hash == hashlib.sha256(found.group(2).encode()).hexdigest()
    assert found.group(2) not in stored.token_hash


def test_staff_who_sign_in_only_through_oidc_get_no_email(client: TestClient, session: Session) -> None:
    staff = create_user(session, email="entra-only@example.test", password=None, roles=["officer"])
    answer = ask_for_link(client, staff.email)
    assert answer.status_code == 200 and "Check your email" in answer.text
    assert reset_emails(session, staff.email) == []


def test_a_deactivated_account_gets_no_email(client: TestClient, session: Session) -> None:
    user = make_user(session)
    user.is_active = False
    session.flush()
    assert ask_for_link(client, user.email).status_code == 200
    assert reset_emails(session, user.email) == []


@pytest.mark.parametrize(("typed", "message"), [("", "Enter your email address"), ("not-an-address", "correct format")])
def test_a_missing_or_malformed_address_is_refused_with_a_message(client: TestClient, typed: str, message: str) -> None:
    answer = ask_for_link(client, typed)
    assert answer.status_code == 422
    assert message in answer.text and "There is a problem" in answer.text


def test_the_link_works_once_and_changes_the_password(client: TestClient, session: Session) -> None:
    user = make_user(session)
    path = emailed_link(client, session, user.email)
    form = client.get(path)
    assert form.status_code == 200 and "Choose a new password" in form.text
    assert form.headers["cache-control"] == "no-store"  # its address holds the secret
    done = choose(client, path)
    assert done.status_code == 200 and "Your password has been changed" in done.text
    assert 'href="/sign-in"' in done.text and "th_session=" not in done.headers.get("set-cookie", "")
    assert sign_in(client, user.email, PASSWORD).status_code == 401
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 303
    client.cookies.clear()
    again = client.get(path)
    assert again.status_code == 404 and "This link has expired" in again.text
    assert 'href="/password-reset"' in again.text
    assert choose(client, path, "another new password here").status_code == 404
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 303


def test_the_owner_is_told_their_password_changed(client: TestClient, session: Session) -> None:
    user = make_user(session)
    choose(client, emailed_link(client, session, user.email))
    told = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)).all()
    assert [m.subject.split(" - ")[0] for m in told] == ["Reset your password", "Your password has been changed"]
    assert NEW_PASSWORD not in told[1].body


def test_an_expired_link_is_refused(client: TestClient, session: Session) -> None:
    user = make_user(session)
    path = emailed_link(client, session, user.email)
    with frozen_at(utc_now() + timedelta(minutes=61)):
        page = client.get(path)
        assert page.status_code == 404 and "This link has expired" in page.text
        assert choose(client, path).status_code == 404
    assert sign_in(client, user.email, PASSWORD).status_code == 303  # the password did not change


@pytest.mark.parametrize("token", ["made-up-token-of-the-right-length-abcdefghijklmn", "x", "a" * 500, "%27%3Cb%3E"])
def test_an_unknown_or_malformed_link_gets_the_expired_page(client: TestClient, token: str) -> None:
    page = client.get(f"/password-reset/{token}")
    assert page.status_code == 404 and "This link has expired" in page.text


def test_a_new_link_replaces_the_earlier_one(client: TestClient, session: Session) -> None:
    user = make_user(session)
    first = emailed_link(client, session, user.email)
    second = emailed_link(client, session, user.email)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("too short", "too short", password_problem("too short")),
        ("x" * 1001, "x" * 1001, None),  # longer than the form accepts: a 422, never a 500
        (NEW_PASSWORD, "purple kettle harbour lantern!", "The passwords do not match"),
    ],
)
def test_a_password_that_cannot_be_used_is_refused_with_the_message(
    client: TestClient, session: Session, password: str, confirm: str, message: str | None
) -> None:
    user = make_user(session)
    path = emailed_link(client, session, user.email)
    refused = choose(client, path, password, confirm)
    assert refused.status_code == 422
    if message:
        assert message in refused.text and "There is a problem" in refused.text
    assert client.get(path).status_code == 200  # the link still works
    assert choose(client, path).status_code == 200


def test_resetting_ends_every_session_of_the_account(client: TestClient, session: Session) -> None:
    user = make_user(session)
    assert sign_in(client, user.email).status_code == 303
    assert client.get("/account").status_code == 200
    choose(client, emailed_link(client, session, user.email))
    count = session.scalar(select(func.count()).select_from(LoginSession).where(LoginSession.user_id == user.id))
    assert count == 0
    assert client.get("/account", follow_redirects=False).status_code != 200


def test_resetting_clears_the_accounts_failed_sign_ins(client: TestClient, session: Session) -> None:
    user = make_user(session)
    for _ in range(5):
        sign_in(client, user.email, "wrong password number")
    assert sign_in(client, user.email, PASSWORD).status_code == 429
    choose(client, emailed_link(client, session, user.email))
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 303


def test_resetting_is_audited(client: TestClient, session: Session) -> None:
    user = make_user(session)
    choose(client, emailed_link(client, session, user.email))
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action.like("password_reset%"))).all()
    assert [(e.action, e.actor_type, e.actor_id, e.subject_id) for e in entries[-2:]] == [
        ("password_reset_link_sent", "system", None, str(user.id)),
        ("password_reset", "user", user.id, None),
    ]


def test_asking_is_rate_limited_per_address_whether_or_not_it_has_an_account(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    for address in (user.email, "nobody-at-all@example.test"):
        for _ in range(MAX_REQUESTS_PER_EMAIL):
            assert ask_for_link(client, address).status_code == 200
        limited = ask_for_link(client, address)
        assert limited.status_code == 429 and "too many links" in limited.text
    assert len(reset_emails(session, user.email)) == MAX_REQUESTS_PER_EMAIL


def test_asking_is_rate_limited_per_client_address(client: TestClient, session: Session) -> None:
    for number in range(MAX_REQUESTS_PER_CLIENT):
        assert ask_for_link(client, f"someone-{number}@example.test").status_code == 200
    user = make_user(session)
    assert ask_for_link(client, user.email).status_code == 429
    assert reset_emails(session, user.email) == []


def test_the_link_email_is_sent_by_the_notifications_command(client: TestClient, session: Session) -> None:
    from townhall.service_requests.notifications import send_due_notifications

    sent: list[tuple[str, str]] = []

    class Recording:
        def send(self, *, recipient: str, subject: str, body: str) -> None:
            sent.append((recipient, subject))

    user = make_user(session)
    ask_for_link(client, user.email)
    send_due_notifications(session, notifier=Recording())
    assert (user.email, reset_emails(session, user.email)[0].subject) in sent
