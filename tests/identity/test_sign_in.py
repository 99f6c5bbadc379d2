from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.identity.factories import PASSWORD, make_user, sign_in, signed_in
from townhall.identity.service import SIGN_IN_FAILED
from townhall.identity.timeutil import utc_now
from townhall.platform.clock import frozen_at


def test_signing_in_sets_a_secure_http_only_same_site_session_cookie(client: TestClient, session: Session) -> None:
    user = make_user(session)
    response = sign_in(client, user.email)
    assert response.status_code == 303 and response.headers["location"] == "/account"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("th_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    # the test client talks plain http to "testserver" in the test environment: Secure is off only there
    assert client.get("/account").status_code == 200


def test_the_session_cookie_is_secure_outside_loopback(session: Session, council_database) -> None:
    from townhall.web.app import create_app
    from townhall.web.deps import get_session

    app = create_app(council_database.settings)
    app.dependency_overrides[get_session] = lambda: (yield session)
    user = make_user(session)
    with TestClient(app, base_url="https://council.example") as secure_client:
        response = sign_in(secure_client, user.email)
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("th_session="))
    assert "Secure" in cookie


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client: TestClient, session: Session) -> None:
    user = make_user(session)
    wrong_password = sign_in(client, user.email, "not the password at all")
    unknown_user = sign_in(client, "nobody-here@example.test", PASSWORD)
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert SIGN_IN_FAILED in wrong_password.text and SIGN_IN_FAILED in unknown_user.text
    assert "th_session=" not in wrong_password.headers.get("set-cookie", "")


def test_a_password_hashed_with_weaker_parameters_is_rehashed_at_sign_in(client: TestClient, session: Session) -> None:
    # argon2-cffi's defaults rise with its releases (and a council may raise them): old hashes catch up as people
    # sign in, never needing the passwords again
    from argon2 import PasswordHasher

    user = make_user(session)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    session.flush()
    assert sign_in(client, user.email).status_code == 303
    assert user.password_hash != weak and not PasswordHasher().check_needs_rehash(user.password_hash)
    client.cookies.clear()
    assert sign_in(client, user.email).status_code == 303


def test_sign_in_is_rate_limited_per_account_with_a_clear_message(client: TestClient, session: Session) -> None:
    user = make_user(session)
    for _ in range(5):
        assert sign_in(client, user.email, "wrong password number").status_code == 401
    limited = sign_in(client, user.email, PASSWORD)  # even the right password is refused while limited
    assert limited.status_code == 429
    assert "too many attempts" in limited.text.lower()


def test_sign_in_is_rate_limited_per_client_address(client: TestClient, session: Session) -> None:
    for number in range(20):
        sign_in(client, f"guess-{number}@example.test", "wrong password number")
    fresh = make_user(session)
    assert sign_in(client, fresh.email, PASSWORD).status_code == 429


def test_an_idle_session_expires_with_a_clear_message(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    with frozen_at(utc_now() + timedelta(minutes=31)):
        page = client.get("/account", follow_redirects=False)
    signed_in(client, session, role="resident")
    with frozen_at(utc_now() + timedelta(minutes=31)):
        api = client.get("/api/v1/me")
    assert page.status_code == 303 and page.headers["location"] == "/sign-in?next=/account&expired=1"
    assert "session has expired" in client.get(page.headers["location"]).text  # said on the sign-in page
    assert api.status_code == 401 and "expired" in api.json()["detail"]


def test_a_form_sent_after_the_session_expired_leads_back_to_its_page_after_signing_in(
    client: TestClient, session: Session
) -> None:
    user = signed_in(client, session, role="resident")
    token = form_token(client, "/account/link")
    with frozen_at(utc_now() + timedelta(minutes=31)):
        sent = client.post("/account/link", data={"reference": "x", "postcode": "y", "csrf_token": token},
                           headers={"referer": "http://testserver/account/link"}, follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"] == "/sign-in?next=/account/link&expired=1"
    again = form_token(client, sent.headers["location"])
    back = client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "next": "/account/link",
                                         "csrf_token": again}, follow_redirects=False)  # fmt: skip
    assert back.status_code == 303 and back.headers["location"] == "/account/link"


def test_a_session_expires_after_its_maximum_age_however_active(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    start = utc_now()
    for minutes in range(20, 12 * 60, 20):
        with frozen_at(start + timedelta(minutes=minutes)):
            assert client.get("/account").status_code == 200
    with frozen_at(start + timedelta(hours=12, minutes=1)):
        assert client.get("/account", follow_redirects=False).headers["location"].endswith("&expired=1")


def test_signing_out_ends_the_session(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    token = form_token(client, "/account")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 200
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_sign_in_never_redirects_to_another_site(client: TestClient, session: Session) -> None:
    user = make_user(session)
    token = form_token(client, "/sign-in")
    data = {"email": user.email, "password": PASSWORD, "next": "//evil.example/", "csrf_token": token}
    response = client.post("/sign-in", data=data, follow_redirects=False)
    assert response.headers["location"] == "/account"


def test_the_email_is_never_in_a_web_address(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert '<form method="post" action="/sign-in"' in page.text
