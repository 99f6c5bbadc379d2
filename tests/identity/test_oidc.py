"""Staff sign-in with OpenID Connect against a fake provider: every check the callback makes can fail here."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.identity.factories import make_user
from tests.identity.fake_oidc import CLIENT_ID, CLIENT_SECRET, ISSUER, REDIRECT_URL, FakeProvider, new_key
from townhall.config import ConfigurationError
from townhall.identity.models import User
from townhall.identity.oidc import OidcConfig, OidcProvider
from townhall.identity.oidc_accounts import NO_ROLE
from townhall.platform.audit import AuditEntry
from townhall.web.app import create_app
from townhall.web.deps import get_session

ROLE_MAP = {"group-officers": "officer", "group-ig": "ig_officer"}
VERIFY_FAILED = "could not be verified"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def monotonic() -> Clock:
    return Clock()


@pytest.fixture
def oidc_client(council_database, session: Session, provider: FakeProvider, monotonic: Clock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = council_database.settings.model_copy(update={
        "oidc_issuer": ISSUER, "oidc_client_id": CLIENT_ID, "oidc_client_secret": CLIENT_SECRET,
        "oidc_redirect_url": REDIRECT_URL, "oidc_role_map": ROLE_MAP,
    })  # fmt: skip
    app = create_app(settings)
    app.state.oidc_provider = OidcProvider(OidcConfig.from_settings(settings), provider, monotonic=monotonic)

    def shared_session() -> Iterator[Session]:
        yield session
        session.commit()

    app.dependency_overrides[get_session] = shared_session
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.state.engine.dispose()


def come_back(client: TestClient, provider: FakeProvider, **claims: Any):  # type: ignore[no-untyped-def]
    """Start at /sign-in/oidc, sign in at the fake provider, and return the callback's response."""
    started = client.get("/sign-in/oidc", follow_redirects=False)
    assert started.status_code == 303
    assert urlsplit(started.headers["location"]).netloc == "login.example.test"
    query = provider.authorise(started.headers["location"], **claims)
    return client.get("/sign-in/oidc/callback", params=query, follow_redirects=False)


def session_cookie_set(response: Any) -> bool:
    return any(c.startswith("th_session=") for c in response.headers.get_list("set-cookie"))


def test_a_staff_member_signs_in_and_gets_the_mapped_role(oidc_client: TestClient, provider, session) -> None:  # type: ignore[no-untyped-def]
    response = come_back(oidc_client, provider)
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    assert oidc_client.get("/staff").status_code == 200
    user = session.scalar(select(User).where(User.oidc_subject == "entra-subject-1"))
    assert user is not None and user.password_hash is None
    assert user.roles == {"officer"} and user.email == "jo.officer@council.example"
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert last is not None and last.action == "sign_in_oidc" and last.actor_id == user.id


def test_the_authorisation_request_uses_pkce_state_and_nonce(oidc_client: TestClient) -> None:
    location = oidc_client.get("/sign-in/oidc", follow_redirects=False).headers["location"]
    for part in ("code_challenge_method=S256", "code_challenge=", "state=", "nonce=", f"client_id={CLIENT_ID}"):
        assert part in location
    assert "code_verifier" not in location  # the verifier stays with us until the code exchange


def test_the_next_sign_in_follows_changes_to_groups(oidc_client: TestClient, provider, session) -> None:  # type: ignore[no-untyped-def]
    assert come_back(oidc_client, provider).status_code == 303
    oidc_client.cookies.clear()
    assert come_back(oidc_client, provider, code="code-2", groups=["group-ig"]).status_code == 303
    user = session.scalar(select(User).where(User.oidc_subject == "entra-subject-1"))
    assert user is not None and user.roles == {"ig_officer"}


def test_a_wrong_state_is_refused(oidc_client: TestClient, provider: FakeProvider) -> None:
    started = oidc_client.get("/sign-in/oidc", follow_redirects=False)
    query = provider.authorise(started.headers["location"]) | {"state": "someone-elses-state"}
    response = oidc_client.get("/sign-in/oidc/callback", params=query, follow_redirects=False)
    assert response.status_code == 400 and "did not start on this site" in response.text
    assert not session_cookie_set(response)


def test_a_callback_without_the_state_cookie_is_refused(oidc_client: TestClient, provider: FakeProvider) -> None:
    started = oidc_client.get("/sign-in/oidc", follow_redirects=False)
    query = provider.authorise(started.headers["location"])
    oidc_client.cookies.clear()
    response = oidc_client.get("/sign-in/oidc/callback", params=query, follow_redirects=False)
    assert response.status_code == 400 and not session_cookie_set(response)


def test_a_wrong_nonce_is_refused(oidc_client: TestClient, provider: FakeProvider) -> None:
    response = come_back(oidc_client, provider, nonce="a-replayed-nonce")
    assert response.status_code == 400 and VERIFY_FAILED in response.text
    assert not session_cookie_set(response)


def test_an_expired_token_is_refused(oidc_client: TestClient, provider: FakeProvider) -> None:
    now = int(time.time())
    response = come_back(oidc_client, provider, iat=now - 7200, exp=now - 3600)
    assert response.status_code == 400 and "expired" in response.text
    assert not session_cookie_set(response)


def test_a_token_for_another_application_is_refused(oidc_client: TestClient, provider: FakeProvider) -> None:
    response = come_back(oidc_client, provider, aud="another-application")
    assert response.status_code == 400 and VERIFY_FAILED in response.text


def test_a_token_from_another_issuer_is_refused(oidc_client: TestClient, provider: FakeProvider) -> None:
    response = come_back(oidc_client, provider, iss="https://login.example.test/another-tenant/v2.0")
    assert response.status_code == 400 and VERIFY_FAILED in response.text


def test_a_token_signed_with_another_key_is_refused(oidc_client: TestClient, provider: FakeProvider) -> None:
    provider.signing_key = new_key("key-1")  # same key id, different key: the signature does not verify
    response = come_back(oidc_client, provider)
    assert response.status_code == 400 and VERIFY_FAILED in response.text


def test_an_unknown_key_id_is_refused(oidc_client: TestClient, provider: FakeProvider) -> None:
    provider.signing_key = new_key("key-never-published")
    response = come_back(oidc_client, provider)
    assert response.status_code == 400 and VERIFY_FAILED in response.text


def test_a_rotated_key_is_fetched_again(oidc_client: TestClient, provider: FakeProvider, monotonic: Clock) -> None:
    assert come_back(oidc_client, provider).status_code == 303  # caches key-1
    oidc_client.cookies.clear()
    provider.signing_key = new_key("key-2")
    provider.published = [provider.signing_key]
    monotonic.now += 61
    assert come_back(oidc_client, provider, code="code-2").status_code == 303
    assert provider.requests.count("https://login.example.test/keys") == 2
    assert provider.requests.count(f"{ISSUER}/.well-known/openid-configuration") == 1  # discovery is cached


def test_no_mapped_role_gets_a_clear_refusal_and_is_audited(oidc_client: TestClient, provider, session) -> None:  # type: ignore[no-untyped-def]
    response = come_back(oidc_client, provider, groups=["group-canteen"])
    assert response.status_code == 403 and "not in a group that may use Townhall" in response.text
    assert NO_ROLE.split(",")[0] in response.text and not session_cookie_set(response)
    assert session.scalar(select(User).where(User.oidc_subject == "entra-subject-1")) is None
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert last is not None and last.action == "oidc_sign_in_refused"


def test_an_account_with_a_password_is_never_taken_over_by_email(oidc_client: TestClient, provider, session) -> None:  # type: ignore[no-untyped-def]
    resident = make_user(session, email="jo.officer@council.example")
    response = come_back(oidc_client, provider)
    assert response.status_code == 403 and not session_cookie_set(response)
    assert resident.oidc_subject is None and resident.roles == {"resident"}


def test_a_code_the_provider_refuses_is_refused(oidc_client: TestClient, provider: FakeProvider) -> None:
    started = oidc_client.get("/sign-in/oidc", follow_redirects=False)
    query = provider.authorise(started.headers["location"]) | {"code": "a-code-never-issued"}
    response = oidc_client.get("/sign-in/oidc/callback", params=query, follow_redirects=False)
    assert response.status_code == 400 and not session_cookie_set(response)


def test_the_provider_reporting_an_error_is_explained(oidc_client: TestClient) -> None:
    response = oidc_client.get("/sign-in/oidc/callback", params={"error": "access_denied"}, follow_redirects=False)
    assert response.status_code == 400 and "cancelled or refused" in response.text


def test_the_sign_in_page_offers_work_accounts_only_when_configured(oidc_client: TestClient, client) -> None:  # type: ignore[no-untyped-def]
    assert "/sign-in/oidc" in oidc_client.get("/sign-in").text
    assert "/sign-in/oidc" not in client.get("/sign-in").text
    assert client.get("/sign-in/oidc", follow_redirects=False).status_code == 404


def test_a_role_map_to_a_resident_is_a_configuration_error(council_database) -> None:  # type: ignore[no-untyped-def]
    settings = council_database.settings.model_copy(update={
        "oidc_issuer": ISSUER, "oidc_client_id": CLIENT_ID, "oidc_client_secret": CLIENT_SECRET,
        "oidc_redirect_url": REDIRECT_URL, "oidc_role_map": {"everyone": "resident"},
    })  # fmt: skip
    with pytest.raises(ConfigurationError, match="not a staff role"):
        OidcConfig.from_settings(settings)


def test_the_real_http_client_only_talks_https() -> None:
    from townhall.identity.oidc import ProviderUnavailable, UrllibOidcHttp

    with pytest.raises(ProviderUnavailable, match="https"):
        UrllibOidcHttp().get_json("http://login.example.test/.well-known/openid-configuration")


def test_a_provider_with_an_http_endpoint_is_refused(oidc_client: TestClient, provider: FakeProvider) -> None:
    real_get_json = provider.get_json

    def downgraded(url: str) -> dict[str, Any]:
        document = real_get_json(url)
        if url.endswith("openid-configuration"):
            document["token_endpoint"] = "http://login.example.test/token"
        return document

    provider.get_json = downgraded  # type: ignore[method-assign]
    response = oidc_client.get("/sign-in/oidc", follow_redirects=False)
    assert response.status_code == 502 and "not https" in response.text
