import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from townhall.platform.audit import Actor, record_access, verify_chain
from townhall.platform.audit.search import AuditQuery, entries_as_csv, search_entries
from townhall.platform.errors import InvalidInput

OFFICER = Actor("user", 7, is_staff=True)


def write_entries(session: Session, count: int) -> list[int]:
    return [
        record_access(session, actor=OFFICER, action="view_household", subject_type="household",
                      subject_id=100 + n, purpose="early help review", client="10.0.0.1")
        for n in range(count)
    ]  # fmt: skip


def tamper(session: Session, sql: str) -> None:
    """Change the log behind the application's back (PostgreSQL's trigger must be bypassed to do so)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
    session.execute(text(sql))


def test_entries_chain_and_verify(session: Session) -> None:
    ids = write_entries(session, 5)
    assert ids == list(range(ids[0], ids[0] + 5))
    report = verify_chain(session.connection())
    assert report.intact and report.entries >= 5


def test_staff_must_give_a_purpose_to_see_personal_data(session: Session) -> None:
    with pytest.raises(InvalidInput, match="purpose"):
        record_access(session, actor=OFFICER, action="view_household", subject_type="household", subject_id=1)


def test_a_changed_entry_is_found(session: Session) -> None:
    ids = write_entries(session, 4)
    tamper(session, f"UPDATE audit_entries SET purpose = 'curiosity' WHERE id = {ids[1]}")
    report = verify_chain(session.connection())
    assert [(p.entry_id, "changed" in p.what) for p in report.problems] == [(ids[1], True)]


def test_a_removed_entry_is_found(session: Session) -> None:
    ids = write_entries(session, 4)
    tamper(session, f"DELETE FROM audit_entries WHERE id = {ids[2]}")
    problems = verify_chain(session.connection()).problems
    assert problems[0].entry_id == ids[3] and "missing" in problems[0].what


def test_removing_the_newest_entries_is_found(session: Session) -> None:
    ids = write_entries(session, 3)
    tamper(session, f"DELETE FROM audit_entries WHERE id = {ids[2]}")
    problems = verify_chain(session.connection()).problems
    assert problems and "removed" in problems[-1].what


def test_reordered_entries_are_found(session: Session) -> None:
    ids = write_entries(session, 3)
    tamper(session, f"UPDATE audit_entries SET subject_id = CASE id WHEN {ids[0]} THEN '{100 + 1}' ELSE '100' END "
                    f"WHERE id IN ({ids[0]}, {ids[1]})")  # fmt: skip
    problems = verify_chain(session.connection()).problems
    assert {p.entry_id for p in problems} == {ids[0], ids[1]}


def test_postgresql_refuses_to_change_the_log(session: Session, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("the append-only trigger is PostgreSQL's")
    ids = write_entries(session, 1)
    savepoint = session.begin_nested()
    with pytest.raises(Exception, match="append-only"):
        session.execute(text(f"DELETE FROM audit_entries WHERE id = {ids[0]}"))
    savepoint.rollback()


def test_search_by_person_and_export_csv(session: Session) -> None:
    write_entries(session, 3)
    record_access(session, actor=OFFICER, action="view_household", subject_type="household", subject_id=101,
                  purpose="=HYPERLINK(\"x\")")  # fmt: skip
    found = search_entries(session, query=AuditQuery(subject_type="household", subject_id="101"))
    assert len(found) == 2 and all(entry.subject_id == "101" for entry in found)
    csv_text = "".join(entries_as_csv(session, query=AuditQuery(subject_type="household", subject_id="101")))
    assert csv_text.splitlines()[0].startswith("id,occurred_at,actor_type")
    assert "'=HYPERLINK" in csv_text  # never a live formula in a spreadsheet
