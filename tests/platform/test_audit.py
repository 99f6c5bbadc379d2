import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from townhall.platform.audit import (
    PURPOSE_LENGTH,
    SYSTEM,
    Actor,
    command_origin,
    fitted_purpose,
    from_the_command_line,
    record_access,
    verify_chain,
)
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


def test_the_canonical_form_and_hash_never_change() -> None:
    """Known answers computed before verify was optimised: a different output would break every chain."""
    from townhall.platform.audit import canonical_form, entry_hash

    full = canonical_form(42, 1790000000000123, "user", 7, "view_household", "household", "101",
                          "early help review: é ✓", "10.0.0.1")  # fmt: skip
    expected = "2:42,16:1790000000000123,4:user,1:7,14:view_household,9:household,3:101,"
    assert full == expected + "22:early help review: é ✓,8:10.0.0.1,"
    assert entry_hash("0" * 64, full) == "626c56c1317665cdde8f32e2607059c379d829cf47ef4cb62f90fe72326fb045"
    empty = canonical_form(1, 5, "system", None, "create_user", None, None, None, None)
    assert entry_hash("ab" * 32, empty) == "2944554bc90cc15ce9866c36835b654b344e621397b8d8a101c89d02b2d9115e"


def test_entries_appended_after_the_head_was_read_are_not_a_removed_tail(session: Session) -> None:
    ids = write_entries(session, 3)
    tamper(session, f"UPDATE audit_chain_head SET last_entry_id = {ids[1]}, last_hash = "
                    f"(SELECT entry_hash FROM audit_entries WHERE id = {ids[1]})")  # fmt: skip
    assert verify_chain(session.connection()).intact  # as a live system looks when the head was read first


def test_a_head_pointing_at_a_different_hash_is_found(session: Session) -> None:
    write_entries(session, 2)
    tamper(session, "UPDATE audit_chain_head SET last_hash = '" + "f" * 64 + "'")
    problems = verify_chain(session.connection()).problems
    assert problems and "chain head recorded" in problems[-1].what


def test_a_purpose_is_put_on_one_line_and_cut_to_the_column_ending_in_dots() -> None:
    assert fitted_purpose("streams: 4 added;\n file  a.csv") == "streams: 4 added; file a.csv"
    cut = fitted_purpose("rounds: 2 added; file " + "r" * 400 + ".csv")
    assert len(cut) == PURPOSE_LENGTH and cut.startswith("rounds: 2 added; file rrr") and cut.endswith("r...")
    assert fitted_purpose("x" * PURPOSE_LENGTH) == "x" * PURPOSE_LENGTH


def test_system_entries_name_the_command_line_only_inside_a_command(session: Session) -> None:
    with from_the_command_line("cli jsmith@council-app-1"):
        record_access(session, actor=SYSTEM, action="in_a_command")
        record_access(session, actor=OFFICER, action="a_request", subject_type="household", subject_id=1,
                      purpose="early help", client="203.0.113.9")  # fmt: skip
    record_access(session, actor=SYSTEM, action="outside")
    clients = dict(session.execute(text("SELECT action, client FROM audit_entries")).all())
    assert clients["in_a_command"] == "cli jsmith@council-app-1"
    assert clients["a_request"] == "203.0.113.9"  # a request's own address is never replaced
    assert clients["outside"] is None


def test_the_command_origin_fits_the_column() -> None:
    origin = command_origin()
    assert origin.startswith("cli ") and "@" in origin and len(origin) <= 64
