"""Verifying the audit log in several processes finds exactly what one process finds."""

from __future__ import annotations

import pytest

from tests import conftest
from townhall.db import make_session_factory, session_scope
from townhall.platform.audit import Actor, record_access, verify_chain
from townhall.platform.audit import verify as verify_module

OFFICER = Actor("user", 7, is_staff=True)
ENTRIES = 60  # ranges of 8 with 2 workers x 4 ranges


def _tamper(database: conftest.TestDatabase, sql: str) -> None:
    with database.engine.begin() as connection:
        if database.backend == "postgres":
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        connection.exec_driver_sql(sql)


def _both(database: conftest.TestDatabase) -> tuple[list[tuple[int | None, str]], list[tuple[int | None, str]]]:
    with database.engine.connect() as connection:
        one = verify_chain(connection)
        several = verify_chain(connection, workers=2)
    assert one.entries == several.entries
    return [(p.entry_id, p.what) for p in one.problems], [(p.entry_id, p.what) for p in several.problems]


@pytest.fixture
def written(empty_database: conftest.TestDatabase, monkeypatch: pytest.MonkeyPatch) -> conftest.TestDatabase:
    monkeypatch.setattr(verify_module, "PARALLEL_FROM", 1)
    with session_scope(make_session_factory(empty_database.engine)) as session:
        for number in range(ENTRIES):
            record_access(session, actor=OFFICER, action="view_household", subject_type="household",
                          subject_id=number, purpose="parallel verify test")  # fmt: skip
    return empty_database


@pytest.mark.parametrize(
    "tampering",
    [
        None,
        "UPDATE audit_entries SET purpose = 'curiosity' WHERE id = 9",  # first entry of a range
        "DELETE FROM audit_entries WHERE id = 17",  # a range boundary
        "DELETE FROM audit_entries WHERE id BETWEEN 9 AND 16",  # a whole range
        "DELETE FROM audit_entries WHERE id > 50",  # the tail
        "UPDATE audit_entries SET previous_hash = '" + "0" * 64 + "' WHERE id = 25",
    ],
)
def test_several_processes_report_what_one_process_reports(written: conftest.TestDatabase, tampering: str) -> None:
    if tampering:
        _tamper(written, tampering)
    one, several = _both(written)
    assert several == one
    assert bool(one) == bool(tampering)


def test_the_parallel_check_spreads_over_id_ranges() -> None:
    assert verify_module._id_ranges(60, 8) == [(1, 8), (9, 16), (17, 24), (25, 32), (33, 40), (41, 48),
                                               (49, 56), (57, 60)]  # fmt: skip
