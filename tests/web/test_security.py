"""Security headers: what a browser may keep of a signed-in person's pages, and HTTPS only once seen."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.identity.factories import signed_in


def test_a_signed_in_persons_pages_are_never_stored_by_the_browser(client: TestClient, session: Session) -> None:
    # on a shared computer (a library, a council office), Back after signing out must not show the last page
    signed_in(client, session, role="resident")
    for path in ("/account", "/your-reports", "/api/v1/me"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path


def test_a_browsers_own_assistant_conversation_is_never_stored_either(client: TestClient) -> None:
    client.cookies.set("th_assistant", "a-conversation.signature")
    assert client.get("/assistant").headers["cache-control"] == "no-store"


def test_a_route_that_chooses_its_own_caching_keeps_it_when_signed_in(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    requests = client.get("/open311/v2/requests.json")
    assert requests.headers["cache-control"].startswith("public")


def test_public_pages_for_anonymous_visitors_leave_caching_alone(client: TestClient) -> None:
    assert "cache-control" not in client.get("/").headers


def test_browsers_are_told_to_use_https_only(client: TestClient) -> None:
    assert client.get("/").headers["strict-transport-security"] == "max-age=31536000"


def test_the_page_for_an_unexpected_error_carries_the_security_headers_too(client: TestClient) -> None:
    # Starlette sends it from its outermost error layer, outside any middleware added with add_middleware
    def broken() -> None:
        raise RuntimeError("a bug")

    client.app.add_api_route("/broken-for-this-test", broken)  # type: ignore[attr-defined]
    response = client.get("/broken-for-this-test")
    assert response.status_code == 500
    assert response.headers["x-frame-options"] == "DENY" and "content-security-policy" in response.headers
    assert "a bug" not in response.text
