"""Who may reach what: every route is public on purpose or needs a role; ids in URLs never cross residents."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.identity.factories import make_user, signed_in
from tests.identity.routes import every_route, is_public, required_roles
from townhall.identity.models import AccountLink, User
from townhall.web.public_routes import PUBLIC_PATHS


def test_every_route_is_public_on_purpose_or_requires_a_role(client: TestClient) -> None:
    undeclared = [
        f"{sorted(route.methods)} {route.path}"
        for route in every_route(client.app)  # type: ignore[arg-type]
        if not is_public(route, PUBLIC_PATHS) and not required_roles(route)
    ]
    assert undeclared == [], "declare these public (townhall/web/public_routes.py) or require a role"


def test_pages_send_people_who_are_not_signed_in_to_sign_in(client: TestClient) -> None:
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in?next=/account"


def test_signed_in_without_the_role_gets_a_clear_no_access_page(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    response = client.get("/audit")
    assert response.status_code == 403 and "You do not have access" in response.text


def test_api_says_401_without_credentials_and_403_with_the_wrong_role(client: TestClient, session: Session) -> None:
    assert client.get("/api/v1/me/links/1").status_code == 401
    assert client.get("/api/v1/me/links/1").headers["www-authenticate"] == "Bearer"
    signed_in(client, session, role="officer")
    response = client.get("/api/v1/me/links/1")
    assert response.status_code == 403 and "do not have access" in response.json()["detail"]


def test_ig_officer_searches_the_audit_log_and_exports_it(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="ig_officer")
    token = form_token(client, "/audit")
    no_purpose = client.post("/audit", data={"subject_type": "user", "subject_id": "1", "csrf_token": token})
    assert no_purpose.status_code == 422 and "purpose" in no_purpose.text
    data = {"action": "sign_in", "purpose": "monthly access review", "csrf_token": token}
    assert "sign_in" in client.post("/audit", data=data).text
    export = client.post("/audit/export", data=data)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "export_audit_log" in client.post("/audit", data={**data, "action": "export_audit_log"}).text


def test_an_audit_search_by_a_user_number_that_is_not_one_says_so(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="ig_officer")
    token = form_token(client, "/audit")
    for bad in ("²", "abc", str(2**63)):  # int("²") fails; 2**63 overflows the database's integer
        data = {"actor_id": bad, "purpose": "monthly access review", "csrf_token": token}
        refused = client.post("/audit", data=data)
        assert refused.status_code == 422 and "User must be an email address" in refused.text, bad


def test_an_audit_search_by_email_address_finds_that_users_entries_and_says_who(
    client: TestClient, session: Session
) -> None:
    officer = signed_in(client, session, role="ig_officer")
    token = form_token(client, "/audit")
    data = {"actor_id": officer.email.upper(), "action": "sign_in", "purpose": "access review", "csrf_token": token}
    found = client.post("/audit", data=data)
    assert found.status_code == 200 and f"user {officer.id} ({officer.email})" in found.text
    unknown = client.post("/audit", data={**data, "actor_id": "nobody@example.test"})
    assert unknown.status_code == 422 and "There is no user with the email address nobody@example.test" in unknown.text


# --- A resident can never reach another resident's data by changing an id in a URL ---------------------------
# Each path parameter a resident-facing route takes needs a factory that makes a record owned by `owner` and
# returns its id. A module adding such a route adds its factory here; the test fails until it does.


_references = itertools.count(123)


def _linked_account(session: Session, owner: User) -> int:
    reference = f"WX{next(_references):06d}"
    link = AccountLink(user_id=owner.id, account_reference=reference, linked_at=datetime.now(UTC))
    session.add(link)
    session.flush()
    return link.id


def _linked_council_tax_account(session: Session, owner: User) -> str:
    """A real account of the test council, linked to `owner`; returns its reference."""
    from sqlalchemy import select

    from townhall.counciltax.models import Account

    reference = session.scalars(select(Account.reference).order_by(Account.reference)).first()
    assert reference is not None
    session.add(AccountLink(user_id=owner.id, account_reference=reference, linked_at=datetime.now(UTC)))
    session.flush()
    return reference


def _service_request(session: Session, owner: User) -> int:
    from tests.service_requests.factories import make_request

    return make_request(session, reporter_user_id=owner.id).id


OWNED_RECORD_FACTORIES: dict[str, Callable[[Session, User], int | str]] = {
    "link_id": _linked_account,
    "reference": _linked_council_tax_account,
    "request_id": _service_request,
}


def _resident_routes_with_ids(client: TestClient) -> list:  # type: ignore[type-arg]
    return [
        route
        for route in every_route(client.app)  # type: ignore[arg-type]
        if route.path_parameters and "resident" in required_roles(route)
    ]


def test_there_are_resident_routes_with_ids_to_check(client: TestClient) -> None:
    assert len(_resident_routes_with_ids(client)) >= 3


def test_no_resident_reaches_another_residents_record_by_changing_an_id(client: TestClient, session: Session) -> None:
    other = make_user(session, role="resident")
    signed_in(client, session, role="resident")
    token = form_token(client, "/account")
    for route in _resident_routes_with_ids(client):
        missing = [name for name in route.path_parameters if name not in OWNED_RECORD_FACTORIES]
        assert not missing, f"{route.path}: add an owned-record factory for {missing}"
        path = route.path
        for name in route.path_parameters:
            path = path.replace("{" + name + "}", str(OWNED_RECORD_FACTORIES[name](session, other)))
        for method in sorted(route.methods - {"HEAD"}):
            response = client.request(method, path, data={"csrf_token": token} if method != "GET" else None)
            assert response.status_code in (403, 404), f"{method} {path} gave {response.status_code}"


@pytest.mark.parametrize("path", ["/account/links/{id}", "/api/v1/me/links/{id}"])
def test_a_resident_sees_their_own_linked_account(client: TestClient, session: Session, path: str) -> None:
    me = signed_in(client, session, role="resident")
    link_id = _linked_account(session, me)
    response = client.get(path.format(id=link_id))
    assert response.status_code == 200 and "WX00" in response.text
