from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from townhall.identity.access import Caller, api_requires
from townhall.identity.apikeys import Unauthenticated, authenticate_api_key, create_api_key, revoke_api_key
from townhall.platform.audit import AuditEntry
from townhall.platform.errors import Forbidden


@pytest.fixture
def scoped_client(client: TestClient) -> TestClient:
    """The app with one extra route that machine clients with `open311:write` may call."""

    @client.app.post("/api/v1/test-open311")  # type: ignore[attr-defined, untyped-decorator]
    def write(caller: Annotated[Caller, Depends(api_requires("officer", scope="open311:write"))]) -> dict:
        return {"actor": caller.actor.type}

    return client


def test_a_key_works_by_bearer_or_header_and_each_use_is_audited(scoped_client: TestClient, session: Session) -> None:
    created = create_api_key(session, name="fixmystreet", scopes=["open311:write"])
    assert created.key.key_hash != created.raw and created.raw not in created.key.key_hash
    bearer = scoped_client.post("/api/v1/test-open311", headers={"Authorization": f"Bearer {created.raw}"})
    header = scoped_client.post("/api/v1/test-open311", headers={"X-Api-Key": created.raw})
    assert bearer.json() == header.json() == {"actor": "api_key"}
    uses = session.scalars(select(AuditEntry).where(AuditEntry.actor_id == created.key.id,
                                                    AuditEntry.action == "api:open311:write"))  # fmt: skip
    assert len(list(uses)) == 2


@pytest.mark.parametrize("raw", ["nonsense", "th_AAAAAAAAAAAA_" + "x" * 43, ""])
def test_a_malformed_or_unknown_key_gets_401(scoped_client: TestClient, raw: str) -> None:
    response = scoped_client.post("/api/v1/test-open311", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401 and response.json()["detail"]


def test_a_revoked_key_gets_401_saying_so(scoped_client: TestClient, session: Session) -> None:
    created = create_api_key(session, name="old-client", scopes=["open311:write"])
    revoke_api_key(session, name="old-client")
    response = scoped_client.post("/api/v1/test-open311", headers={"X-Api-Key": created.raw})
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_a_key_without_the_scope_gets_403(scoped_client: TestClient, session: Session) -> None:
    created = create_api_key(session, name="reader", scopes=["open311:read"])
    assert scoped_client.post("/api/v1/test-open311", headers={"X-Api-Key": created.raw}).status_code == 403


def test_the_service_function_for_form_field_keys(session: Session) -> None:
    created = create_api_key(session, name="form-client", scopes=["open311:write"])
    assert authenticate_api_key(session, created.raw, "open311:write").id == created.key.id
    with pytest.raises(Forbidden):
        authenticate_api_key(session, created.raw, "admin:everything")
    with pytest.raises(Unauthenticated):
        wrong_last = "B" if created.raw.endswith("A") else "A"  # always a different key (was flaky 1 in 64)
        authenticate_api_key(session, created.raw[:-1] + wrong_last, "open311:write")


def test_each_use_is_audited_but_last_used_is_written_at_most_once_a_minute(session: Session) -> None:
    from datetime import UTC, datetime, timedelta

    from townhall.identity.timeutil import as_utc
    from townhall.platform.clock import frozen_at

    created = create_api_key(session, name="busy-client", scopes=["open311:write"])
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    for seconds, expected in ((0, start), (30, start), (61, start + timedelta(seconds=61))):
        with frozen_at(start + timedelta(seconds=seconds)):
            key = authenticate_api_key(session, created.raw, "open311:write")
        assert key.last_used_at is not None and as_utc(key.last_used_at) == expected
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == (before or 0) + 3
