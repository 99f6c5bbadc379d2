"""The audit chain under concurrent writers, and the rule that a failed audit write fails the access itself.

These use their own migrated database (real commits from several connections), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from tests import conftest
from tests.identity.factories import PASSWORD
from townhall.db import make_session_factory, session_scope
from townhall.identity.apikeys import create_api_key
from townhall.identity.models import ApiKey
from townhall.identity.service import create_user
from townhall.platform.audit import Actor, AuditEntry, record_access, verify_chain
from townhall.web.app import create_app

WRITERS = 8
ENTRIES_EACH = 25
OFFICER = Actor("user", 7, is_staff=True)


def _write_concurrently(database: conftest.TestDatabase) -> list[BaseException]:
    factory = make_session_factory(database.engine)
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for entry in range(ENTRIES_EACH):
                with session_scope(factory) as session:
                    session.execute(text("SELECT count(*) FROM users")).one()  # a request reads first
                    record_access(session, actor=OFFICER, action="view_household", subject_type="household",
                                  subject_id=number * 1000 + entry, purpose="concurrency test")  # fmt: skip
        except BaseException as error:  # collected and re-raised by the test
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_writers_never_fork_the_chain(empty_database: conftest.TestDatabase) -> None:
    errors = _write_concurrently(empty_database)
    assert errors == []
    with empty_database.engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(AuditEntry))
        forks = connection.execute(
            text("SELECT previous_hash FROM audit_entries GROUP BY previous_hash HAVING count(*) > 1")
        ).all()
        ids = connection.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
        report = verify_chain(connection)
    assert count == WRITERS * ENTRIES_EACH
    assert forks == []  # no two entries follow the same one
    assert ids == list(range(1, count + 1))
    assert report.intact, report.problems[:3]


FAILING_AUDIT = {
    "sqlite": [
        "CREATE TRIGGER audit_down BEFORE INSERT ON audit_entries WHEN NEW.action IN ('search_audit_log', "
        "'create_api_key') BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END"
    ],
    "postgres": [
        "CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$",
        "CREATE TRIGGER audit_down BEFORE INSERT ON audit_entries FOR EACH ROW "
        "WHEN (NEW.action IN ('search_audit_log', 'create_api_key')) EXECUTE FUNCTION audit_down()",
    ],
}
# PostgreSQL only: the audit entry is accepted, but the commit itself fails (as a lost connection or a failed
# flush would), after the route has built its response.
FAILING_COMMIT = [
    "CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit store unavailable at commit'; END $$",
    "CREATE CONSTRAINT TRIGGER audit_down AFTER INSERT ON audit_entries DEFERRABLE INITIALLY DEFERRED "
    "FOR EACH ROW WHEN (NEW.action = 'search_audit_log') EXECUTE FUNCTION audit_down()",
]


def _break_audit(database: conftest.TestDatabase, statements: list[str]) -> None:
    with database.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def test_a_change_whose_audit_write_fails_is_not_made(empty_database: conftest.TestDatabase) -> None:
    _break_audit(empty_database, FAILING_AUDIT[empty_database.backend])
    factory = make_session_factory(empty_database.engine)
    with pytest.raises(Exception, match="audit store unavailable"), session_scope(factory) as session:
        create_api_key(session, name="fixmystreet", scopes=["open311:write"])
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ApiKey)) == 0


@pytest.fixture
def officer(empty_database: conftest.TestDatabase) -> Iterator[TestClient]:
    """An IG officer signed in to a served app, with three entries about household 4242 to find."""
    database = empty_database
    factory = make_session_factory(database.engine)
    with session_scope(factory) as session:
        create_user(session, email="ig@example.test", password=PASSWORD, roles=["ig_officer"])
        for number in range(3):
            record_access(session, actor=OFFICER, action="view_household", subject_type="household",
                          subject_id="4242", purpose=f"visit {number}")  # fmt: skip
    app = create_app(database.settings)
    client = TestClient(app, raise_server_exceptions=False)
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/sign-in").text)
    assert token
    signed_in = client.post("/sign-in", data={"email": "ig@example.test", "password": PASSWORD,
                                              "csrf_token": token.group(1)}, follow_redirects=False)  # fmt: skip
    assert signed_in.status_code == 303
    yield client
    client.close()
    app.state.engine.dispose()


def _search(client: TestClient):  # type: ignore[no-untyped-def]
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/audit").text)
    assert token
    form = {"subject_type": "household", "subject_id": "4242", "purpose": "subject access request 17",
            "csrf_token": token.group(1)}  # fmt: skip
    return client.post("/audit", data=form)


def test_a_read_whose_audit_write_fails_is_not_shown(
    empty_database: conftest.TestDatabase, officer: TestClient
) -> None:
    client = officer
    assert "visit 1" in _search(client).text  # the search works while the audit log does
    _break_audit(empty_database, FAILING_AUDIT[empty_database.backend])
    refused = _search(client)
    assert refused.status_code == 500 and "visit 1" not in refused.text


def test_a_read_whose_audit_commit_fails_is_not_shown(
    empty_database: conftest.TestDatabase, officer: TestClient
) -> None:
    if empty_database.backend != "postgres":
        pytest.skip("a deferred constraint trigger (failing at COMMIT) is PostgreSQL's")
    client = officer
    _break_audit(empty_database, FAILING_COMMIT)
    refused = _search(client)
    assert refused.status_code == 500 and "visit 1" not in refused.text
    with empty_database.engine.connect() as connection:
        searches = connection.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "search_audit_log")
        )
    assert searches == 0  # the failed commit took the audit entry with it, and the page was not shown
