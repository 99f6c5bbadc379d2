"""`townhall bins changes list|add|remove|import` on a small migrated database with two rounds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from tests.audit_support import audit_log_of
from townhall.bins.models import BinRound, BinScheduleChange, BinStream
from townhall.cli import app
from townhall.platform.audit import command_origin

runner = CliRunner()
MONDAY = date(2027, 2, 1)  # the Monday round collects this day; the fortnightly Tuesday round on 2 February


@pytest.fixture
def rounds_database(command_database: str) -> str:
    engine = create_engine(command_database)
    with engine.begin() as connection:
        connection.execute(insert(BinStream), [{"code": "refuse", "name": "Rubbish", "colour": "black bin",
                                                "accepts": "what cannot be recycled"}])  # fmt: skip
        connection.execute(insert(BinRound), [
            {"id": "MON-REF", "stream_code": "refuse", "weekday": 0, "frequency_weeks": 1, "reference_date": MONDAY},
            {"id": "TUE-REF", "stream_code": "refuse", "weekday": 1, "frequency_weeks": 2,
             "reference_date": date(2027, 2, 2)},
        ])  # fmt: skip
    engine.dispose()
    return command_database


def stored(url: str) -> list[tuple[str | None, date, date | None, str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        columns = (BinScheduleChange.round_id, BinScheduleChange.original_date, BinScheduleChange.new_date,
                   BinScheduleChange.reason)  # fmt: skip
        rows = [tuple(row) for row in connection.execute(select(*columns).order_by(BinScheduleChange.id))]
    engine.dispose()
    return rows  # type: ignore[return-value]


def test_add_then_list_then_remove(rounds_database: str) -> None:
    moved = runner.invoke(app, ["bins", "changes", "add", "--round", "MON-REF", "--date", "2027-02-01",
                                "--to", "2027-02-02", "--reason", "bad weather"])  # fmt: skip
    assert moved.exit_code == 0, moved.output
    assert "Recorded change 1: MON-REF on 2027-02-01, moved to Tuesday 2 February 2027" in moved.output
    cancelled = runner.invoke(app, ["bins", "changes", "add", "--all-rounds", "--date", "2027-02-16", "--cancelled",
                                    "--reason", "strike"])  # fmt: skip
    assert cancelled.exit_code == 0, cancelled.output
    listed = runner.invoke(app, ["bins", "changes", "list", "--from", "2027-01-01"])
    assert listed.exit_code == 0, listed.output
    assert "MON-REF" in listed.output and "all rounds" in listed.output and "cancelled" in listed.output
    assert "No changes from" in runner.invoke(app, ["bins", "changes", "list", "--from", "2027-03-01"]).output
    removed = runner.invoke(app, ["bins", "changes", "remove", "1"])
    assert removed.exit_code == 0 and "Removed change 1 (MON-REF on 2027-02-01)" in removed.output
    assert stored(rounds_database) == [(None, date(2027, 2, 16), None, "strike")]
    again = runner.invoke(app, ["bins", "changes", "remove", "1"])
    assert again.exit_code == 1 and "There is no change 1" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2027-02-01", "--cancelled", "--reason", "strike"], "Give either --round ID or --all-rounds"),
        (["--round", "MON-REF", "--all-rounds", "--date", "2027-02-01", "--cancelled", "--reason", "strike"],
         "Give either --round ID or --all-rounds"),
        (["--round", "MON-REF", "--date", "2027-02-01", "--reason", "strike"], "Give either --to DATE (moved) or"),
        (["--round", "TUE-REF", "--date", "2027-02-09", "--cancelled", "--reason", "strike"],
         "does not collect on Tuesday 9 February 2027"),
        (["--round", "MON-REF", "--date", "1 Feb", "--cancelled", "--reason", "strike"], "is not a date"),
        (["--round", "MON-REF", "--date", "2027-02-01", "--cancelled", "--reason", "snow"], "is not a reason"),
    ],
)  # fmt: skip
def test_add_refuses_what_is_wrong_with_a_readable_message(rounds_database: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["bins", "changes", "add", *args])
    assert result.exit_code == 1 and message in " ".join(result.output.split())
    assert "Traceback" not in result.output and stored(rounds_database) == []


def test_a_duplicate_is_refused(rounds_database: str) -> None:
    args = ["bins", "changes", "add", "--round", "MON-REF", "--date", "2027-02-01", "--cancelled", "--reason", "strike"]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "There is already a change for round MON-REF" in " ".join(again.output.split())


def test_import_loads_every_line_in_one_go(rounds_database: str, tmp_path: Path) -> None:
    source = tmp_path / "christmas.csv"
    source.write_text("round,original_date,new_date,reason\n"
                      ",2027-02-01,2027-02-02,christmas_and_new_year\n"
                      "TUE-REF,2027-02-02,,Christmas and New Year arrangements\n")  # fmt: skip
    result = runner.invoke(app, ["bins", "changes", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "Loaded 2 changes from christmas.csv" in result.output
    reason = "Christmas and New Year arrangements"
    assert stored(rounds_database) == [
        (None, MONDAY, date(2027, 2, 2), reason),
        ("TUE-REF", date(2027, 2, 2), None, reason),
    ]


def test_import_refuses_the_file_naming_each_bad_line(rounds_database: str, tmp_path: Path) -> None:
    source = tmp_path / "christmas.csv"
    source.write_text("round,original_date,new_date,reason\n"
                      "MON-REF,2027-02-01,,strike\n"
                      "TUE-REF,2027-02-09,,strike\n"
                      "MON-REF,2027-02-08,2027-03-08,strike\n"
                      "MON-REF,2027-02-15,,strike\n")  # fmt: skip
    result = runner.invoke(app, ["bins", "changes", "import", str(source)])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "christmas.csv was not loaded; nothing changed" in output
    assert "Line 3: Round TUE-REF" in output and "Line 4: The new date must be within 14 days" in output
    assert "Line 2" not in output and "Line 5" not in output
    assert stored(rounds_database) == []


def test_each_add_remove_and_import_writes_one_audit_entry_as_the_system(rounds_database: str, tmp_path: Path) -> None:
    args = ["--round", "MON-REF", "--date", "2027-02-01", "--to", "2027-02-02", "--reason", "bad weather"]
    assert runner.invoke(app, ["bins", "changes", "add", *args]).exit_code == 0
    assert runner.invoke(app, ["bins", "changes", "remove", "1"]).exit_code == 0
    source = tmp_path / "christmas.csv"
    source.write_text("round,original_date,new_date,reason\n"
                      ",2027-02-01,2027-02-02,christmas_and_new_year\n"
                      "TUE-REF,2027-02-02,,strike\n")  # fmt: skip
    assert runner.invoke(app, ["bins", "changes", "import", str(source)]).exit_code == 0
    moved = "round MON-REF (Rubbish): 2027-02-01 moved to 2027-02-02; reason: bad weather"
    imported = ("changes: 2 (all rounds 1, single rounds 1), usual days 2027-02-01 to 2027-02-02; reasons: Christmas "
                "and New Year arrangements, strike; file christmas.csv")  # fmt: skip
    entries, intact = audit_log_of(rounds_database)
    assert entries == [
        ("system", None, "bins_change_add", "bin_schedule_change", "1", moved, command_origin()),
        ("system", None, "bins_change_remove", "bin_schedule_change", "1", moved, command_origin()),
        ("system", None, "bins_changes_import", None, None, imported, command_origin()),
    ]
    assert intact


def test_a_refused_add_or_import_writes_no_audit_entry(rounds_database: str, tmp_path: Path) -> None:
    wrong_day = ["--round", "TUE-REF", "--date", "2027-02-09", "--cancelled", "--reason", "strike"]
    assert runner.invoke(app, ["bins", "changes", "add", *wrong_day]).exit_code == 1
    source = tmp_path / "christmas.csv"
    source.write_text("round,original_date,new_date,reason\nMON-REF,2027-02-01,,strike\nTUE-REF,2027-02-09,,strike\n")
    assert runner.invoke(app, ["bins", "changes", "import", str(source)]).exit_code == 1
    assert runner.invoke(app, ["bins", "changes", "remove", "7"]).exit_code == 1
    assert audit_log_of(rounds_database) == ([], True)


def test_a_change_whose_audit_entry_cannot_be_written_is_not_saved(
    rounds_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def audit_log_gives_way(*args: object, **kwargs: object) -> int:
        raise OperationalError("INSERT INTO audit_entries ...", {}, Exception("disk I/O error"))

    monkeypatch.setattr("townhall.bins.changes.record_access", audit_log_gives_way)
    args = ["--round", "MON-REF", "--date", "2027-02-01", "--cancelled", "--reason", "strike"]
    failed = runner.invoke(app, ["bins", "changes", "add", *args])
    assert failed.exit_code == 1 and "nothing was saved" in " ".join(failed.output.split()), failed.output
    assert stored(rounds_database) == [] and audit_log_of(rounds_database) == ([], True)
