"""Test fixtures: the same tests run on SQLite and on PostgreSQL, each test in a transaction rolled back after it.

PostgreSQL is found at TOWNHALL_TEST_POSTGRES_URL (default: the local server, database `test`). Where it cannot
be reached its tests are skipped and the header says why, unless TOWNHALL_TEST_POSTGRES=required (as in CI),
when they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from townhall.config import Settings
from townhall.db import make_engine
from townhall.migrate import upgrade
from townhall.synthetic.council import BuildReport, CouncilSpec, build_council
from townhall.web.app import create_app
from townhall.web.deps import get_session

POSTGRES_URL = os.environ.get("TOWNHALL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_COUNCIL = CouncilSpec(size=1500, seed=7, as_of=date(2026, 11, 1))


@cache
def postgres_unavailable_reason() -> str | None:
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error as error:
        return f"PostgreSQL at {POSTGRES_URL} is not reachable ({str(error).strip().splitlines()[0]})"
    return None


def pytest_report_header() -> str:
    reason = postgres_unavailable_reason()
    return f"PostgreSQL tests: {'SKIPPED: ' + reason if reason else 'enabled, ' + POSTGRES_URL}"


@dataclass
class TestDatabase:
    backend: str
    settings: Settings
    engine: Engine


def _fresh_database(backend: str, folder: Path) -> Iterator[TestDatabase]:
    """A new, empty, migrated database: a SQLite file, or a PostgreSQL schema of its own."""
    if backend == "postgres":
        reason = postgres_unavailable_reason()
        if reason:
            if os.environ.get("TOWNHALL_TEST_POSTGRES") == "required":
                pytest.fail(reason)
            pytest.skip(reason)
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{folder / f'{uuid.uuid4().hex[:12]}.db'}"
    settings = Settings(database_url=url, environment="test")
    upgrade(settings)
    engine = make_engine(settings)
    try:
        yield TestDatabase(backend, settings, engine)
    finally:
        engine.dispose()
        if backend == "postgres":
            with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def council_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabase]:
    """A migrated database holding the small test council, built once per backend and shared (read-mostly)."""
    for database in _fresh_database(backend, tmp_path_factory.mktemp("council")):
        with database.engine.begin() as connection:
            database.report = build_council(connection, TEST_COUNCIL)  # type: ignore[attr-defined]
        yield database


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[TestDatabase]:
    """A migrated database with nothing in it, for tests that build or import into one."""
    yield from _fresh_database(backend, tmp_path)


@pytest.fixture
def council_report(council_database: TestDatabase) -> BuildReport:
    return council_database.report  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def session(council_database: TestDatabase) -> Iterator[Session]:
    """A session on the test council whose every change is rolled back after the test."""
    connection = council_database.engine.connect()
    driver = connection.connection.driver_connection
    sqlite = council_database.backend == "sqlite"
    if sqlite:
        # pysqlite's own transaction handling breaks SAVEPOINTs: a "released" savepoint would really commit and
        # leak rows into the next test. Let SQLAlchemy issue BEGIN itself on this connection.
        driver.isolation_level = None  # type: ignore[union-attr]
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    db_session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db_session
    finally:
        db_session.close()
        outer.rollback()
        if sqlite:
            driver.isolation_level = ""  # type: ignore[union-attr]
        connection.close()


@pytest.fixture
def client(council_database: TestDatabase, session: Session) -> Iterator[TestClient]:
    """The web app, its requests sharing the test's rolled-back session."""
    app = create_app(council_database.settings)

    def shared_session() -> Iterator[Session]:
        yield session
        session.commit()  # releases a savepoint only: the outer transaction is rolled back after the test

    app.dependency_overrides[get_session] = shared_session
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.state.engine.dispose()


@pytest.fixture
def sample_property(session: Session) -> dict[str, object]:
    """A numbered house on a street, from the test council."""
    row = session.execute(
        text(
            "SELECT uprn, building_number, street_name, postcode, address FROM properties "
            "WHERE building_number IS NOT NULL AND sub_building_name IS NULL ORDER BY uprn LIMIT 1 OFFSET 200"
        )
    ).one()
    return dict(row._mapping)


def form_token(client: TestClient, path: str = "/find-address") -> str:
    """The CSRF token a page's form carries (fetching the page also gives the client its CSRF cookie)."""
    import re

    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found, f"no CSRF token in the form at {path}"
    return found.group(1)


@pytest.fixture
def command_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite file that `townhall` commands run in this test use (TOWNHALL_DATABASE_URL); its URL."""
    from townhall.config import get_settings

    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TOWNHALL_DATABASE_URL", url)
    upgrade(Settings(database_url=url, environment="test"))
    yield url
    get_settings.cache_clear()


def small_council_file(folder: Path) -> Path:
    """A 300-property synthetic council (seed 7, as of 1 November 2026) in a SQLite file in ``folder``, for tests
    that copy it over the database `townhall` commands use (``use_council_file``): built once per module."""
    path = folder / "council.db"
    settings = Settings(database_url=f"sqlite:///{path}", environment="test")
    upgrade(settings)
    engine = make_engine(settings)
    with engine.begin() as connection:
        build_council(connection, CouncilSpec(size=300, seed=7, as_of=date(2026, 11, 1)))
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def use_council_file(council_file: Path, command_database: str) -> None:
    """Copy a council built by ``small_council_file`` over this test's `townhall` command database."""
    import shutil

    target = Path(command_database.removeprefix("sqlite:///"))
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(council_file, target)
