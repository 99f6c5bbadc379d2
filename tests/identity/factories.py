"""Users and signed-in clients for tests."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import form_token
from townhall.identity.models import User
from townhall.identity.service import create_user

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def make_user(session: Session, *, role: str = "resident", email: str | None = None) -> User:
    address = email or f"{role.replace('_', '-')}-{next(_numbers)}@example.test"
    return create_user(session, email=address, password=PASSWORD, roles=[role])


def sign_in(client: TestClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = form_token(client, "/sign-in")
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False
    )


def signed_in(client: TestClient, session: Session, *, role: str) -> User:
    user = make_user(session, role=role)
    response = sign_in(client, user.email)
    assert response.status_code == 303, response.text
    return user
