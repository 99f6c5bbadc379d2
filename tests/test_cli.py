import csv
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests.audit_support import audit_log_of
from townhall.cli import app
from townhall.config import get_settings
from townhall.platform.audit import command_origin

runner = CliRunner()


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_an_unmigrated_database_says_how_to_fix_it(environment, tmp_path: Path) -> None:
    environment.setenv("TOWNHALL_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    result = runner.invoke(app, ["places", "lookup", "ZX1 0AA"])
    assert result.exit_code == 1
    assert "has not been set up" in result.output and "townhall db upgrade" in result.output
    assert "Traceback" not in result.output


def test_upgrade_then_synth_then_lookup(environment, tmp_path: Path) -> None:
    environment.setenv("TOWNHALL_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    built = runner.invoke(app, ["synth", "--size", "300", "--seed", "2", "--as-of", "2026-04-01"])
    assert built.exit_code == 0, built.output
    assert "300 properties" in built.output
    again = runner.invoke(app, ["synth", "--size", "300"])
    assert again.exit_code == 1 and "already has 300 properties" in again.output
    looked_up = runner.invoke(app, ["places", "lookup", "zx10aa"])
    assert looked_up.exit_code == 0 and "ZX1 0AA" in looked_up.output


def test_places_import_reports_rejects(environment, tmp_path: Path) -> None:
    from tests.places.test_importer import make_row, write_extract

    environment.setenv("TOWNHALL_DATABASE_URL", f"sqlite:///{tmp_path / 'i.db'}")
    runner.invoke(app, ["db", "upgrade"])
    source = write_extract(tmp_path / "extract.csv", [make_row(), make_row(uprn="2", postcode="nope")])
    result = runner.invoke(app, ["places", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "Loaded 1 properties; rejected 1" in result.output
    rejects = list(csv.DictReader((tmp_path / "extract.rejects.csv").read_text().splitlines()))
    assert rejects[0]["uprn"] == "2" and "postcode" in rejects[0]["reason"]


def test_serving_other_machines_with_the_development_secret_is_refused_before_anything_starts(environment) -> None:
    environment.delenv("TOWNHALL_SECRET_KEY", raising=False)
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "TOWNHALL_SECRET_KEY" in result.output and "Traceback" not in result.output


def test_production_refuses_the_placeholder_secret(environment) -> None:
    environment.setenv("TOWNHALL_ENVIRONMENT", "production")
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 1
    assert "TOWNHALL_SECRET_KEY" in result.output


def test_a_database_refusal_is_reported_without_the_values_it_was_given(capsys) -> None:
    import typer
    from sqlalchemy.exc import DataError

    from townhall.cli_support import friendly_errors

    @friendly_errors
    def load() -> None:
        raise DataError(
            "INSERT INTO datahub_records (first_name) VALUES (%s)",
            {"first_name": "Siân"},
            Exception("value too long for type character varying(80)\nDETAIL: the value was 'Siân'"),
        )

    with pytest.raises(typer.Exit):
        load()
    printed = " ".join(capsys.readouterr().err.split())  # as one line, however the console wrapped it
    assert "the database refused the change, so nothing was saved" in printed
    assert "value too long for type character varying(80)" in printed
    assert "Siân" not in printed and "INSERT" not in printed


def test_a_message_with_brackets_is_printed_as_written(capsys) -> None:
    import typer

    from townhall.cli_support import friendly_errors
    from townhall.platform.errors import InvalidInput

    @friendly_errors
    def ingest() -> None:
        raise InvalidInput("unexpected columns ['FORENAME.1']")

    with pytest.raises(typer.Exit):
        ingest()
    assert "['FORENAME.1']" in " ".join(capsys.readouterr().err.split())


def test_datahub_ingest_refuses_a_cut_short_extract_unless_forced_and_withdraw_removes_a_source(
    command_database: str, tmp_path: Path
) -> None:
    header = "claim_no,first_name,last_name,dob,sex,addr,post_code,weekly_award\n"
    rows = [f"C{i},Ann,Lee,3 Mar 1984,F,{i} High St,ZX1 1AB,12.50\n" for i in range(10)]
    (tmp_path / "full.csv").write_text(header + "".join(rows), encoding="utf-8")
    (tmp_path / "short.csv").write_text(header + "".join(rows[:3]), encoding="utf-8")
    first = runner.invoke(app, ["datahub", "ingest", "council_tax_reduction", str(tmp_path / "full.csv")])
    assert first.exit_code == 0 and "loaded 10" in first.output, first.output
    refused = runner.invoke(app, ["datahub", "ingest", "council_tax_reduction", str(tmp_path / "short.csv")])
    assert refused.exit_code == 1 and "fewer than half" in " ".join(refused.output.split())
    forced = runner.invoke(app, ["datahub", "ingest", "council_tax_reduction", str(tmp_path / "short.csv"), "--force"])
    assert forced.exit_code == 0 and "loaded 3" in forced.output, forced.output
    args = ["datahub", "withdraw", "council_tax_reduction", "--reason", "Sharing agreement ended in November"]
    assert runner.invoke(app, args, input="n\n").exit_code == 1  # not confirmed: nothing deleted
    withdrawn = runner.invoke(app, [*args, "--yes"])
    assert withdrawn.exit_code == 0 and "3 records" in withdrawn.output, withdrawn.output
    again = runner.invoke(app, [*args, "--yes"])
    assert again.exit_code == 1 and "holds nothing" in again.output


def test_datahub_expire_deletes_a_source_whose_latest_extract_is_past_its_limit(
    command_database: str, tmp_path: Path
) -> None:
    header = "claim_no,first_name,last_name,dob,sex,addr,post_code,weekly_award\n"
    rows = [f"C{i},Ann,Lee,3 Mar 1984,F,{i} High St,ZX1 1AB,12.50\n" for i in range(4)]
    (tmp_path / "claims.csv").write_text(header + "".join(rows) + "C9,Bo,Li,31 Feb 1990,M,,,1\n", encoding="utf-8")
    assert (
        runner.invoke(app, ["datahub", "ingest", "council_tax_reduction", str(tmp_path / "claims.csv")]).exit_code == 0
    )
    fresh = runner.invoke(app, ["datahub", "expire"])
    assert fresh.exit_code == 0 and "Nothing has passed its retention period" in fresh.output, fresh.output
    engine = create_engine(command_database)
    with engine.begin() as connection:  # the extract arrived 40 days ago, and no newer one since
        connection.execute(text("UPDATE datahub_ingest_batches SET ingested_at = :when"),
                           {"when": datetime.now() - timedelta(days=40)})  # fmt: skip
    engine.dispose()
    planned = " ".join(runner.invoke(app, ["datahub", "expire", "--dry-run"]).output.split())
    assert "council_tax_reduction: latest extract" in planned and "its records would be deleted" in planned
    assert "1 quarantined rows more than 30 days old would be deleted" in planned
    done = " ".join(runner.invoke(app, ["datahub", "expire"]).output.split())
    assert "4 records, 1 quarantined rows and 0 matched pairs deleted" in done, done
    assert "Nothing has passed" in runner.invoke(app, ["datahub", "expire"]).output


def test_notifications_purge_says_how_many_it_deleted(command_database: str) -> None:
    result = runner.invoke(app, ["notifications", "purge"])
    assert result.exit_code == 0 and "Deleted 0 emails sent or given up on more than 30 days ago" in result.output


def test_synth_with_an_impossible_date_says_what_it_needs(command_database: str) -> None:
    result = runner.invoke(app, ["synth", "--size", "50", "--as-of", "2026-13-01"])
    assert result.exit_code == 1
    assert "--as-of" in result.output and "YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output


def test_db_upgrade_to_a_migration_that_does_not_exist_says_so(environment, tmp_path: Path) -> None:
    environment.setenv("TOWNHALL_DATABASE_URL", f"sqlite:///{tmp_path / 'u.db'}")
    result = runner.invoke(app, ["db", "upgrade", "nosuch"])
    assert result.exit_code == 1
    assert "There is no migration 'nosuch'" in result.output
    assert "Traceback" not in result.output


def test_users_create_with_an_unknown_role_names_the_roles(command_database: str) -> None:
    result = runner.invoke(app, ["users", "create", "--email", "a@example.com", "--role", "wizard", "--no-password"])
    assert result.exit_code == 1
    assert "no role called 'wizard'" in result.output and "ig_officer" in result.output
    assert "Traceback" not in result.output


def test_users_create_offers_one_flag_for_no_password_and_refuses_it_with_a_password(command_database: str) -> None:
    assert "--no-no-password" not in runner.invoke(app, ["users", "create", "--help"]).output
    args = ["users", "create", "--email", "a@example.com", "--role", "officer", "--no-password", "--password-stdin"]
    result = runner.invoke(app, args, input="a-long-enough-password\n")
    assert result.exit_code == 1
    assert "--password-stdin or --no-password, not both" in result.output


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TOWNHALL_ENVIRONMENT", "prod", "TOWNHALL_ENVIRONMENT"),
        ("TOWNHALL_SESSION_IDLE_MINUTES", "thirty", "TOWNHALL_SESSION_IDLE_MINUTES"),
        ("TOWNHALL_DATABASE_URL", "mysql://someone@localhost/townhall", "TOWNHALL_DATABASE_URL"),
        ("TOWNHALL_DATABASE_URL", "var/townhall.db", "TOWNHALL_DATABASE_URL"),
        ("TOWNHALL_OIDC_ROLE_MAP", "{not json", "TOWNHALL_OIDC_ROLE_MAP"),
    ],
)
def test_a_setting_that_cannot_be_used_is_named_without_a_traceback(
    environment, variable: str, value: str, expected: str
) -> None:
    environment.setenv(variable, value)
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output and "pydantic" not in result.output


def test_a_database_that_cannot_be_reached_is_not_reported_as_a_refused_change(environment) -> None:
    environment.setenv("TOWNHALL_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/townhall")
    result = runner.invoke(app, ["db", "current"])
    printed = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "could not connect to the database" in printed
    assert "refused the change" not in printed


def test_a_sqlite_database_whose_folder_cannot_be_made_is_named(environment, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    environment.setenv("TOWNHALL_DATABASE_URL", f"sqlite:///{tmp_path / 'a-file' / 'townhall.db'}")
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 1
    assert "TOWNHALL_DATABASE_URL" in result.output and "cannot be made" in result.output
    assert "Traceback" not in result.output


def test_places_import_refuses_a_file_that_is_not_utf8_text_and_leaves_no_rejects_file(
    command_database: str, tmp_path: Path
) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = runner.invoke(app, ["places", "import", str(picture)])
    assert result.exit_code == 1
    assert "not UTF-8 text" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "photo.rejects.csv").exists()


def test_places_import_says_an_empty_file_is_empty_and_keeps_the_last_rejects_file(
    command_database: str, tmp_path: Path
) -> None:
    (tmp_path / "extract.csv").write_text("")
    (tmp_path / "extract.rejects.csv").write_text("last import's rejects\n")
    result = runner.invoke(app, ["places", "import", str(tmp_path / "extract.csv")])
    assert result.exit_code == 1
    assert "is empty" in result.output
    assert (tmp_path / "extract.rejects.csv").read_text() == "last import's rejects\n"


def test_places_import_with_a_rejects_file_it_cannot_write_says_so(command_database: str, tmp_path: Path) -> None:
    from tests.places.test_importer import make_row, write_extract

    source = write_extract(tmp_path / "extract.csv", [make_row()])
    result = runner.invoke(app, ["places", "import", str(source), "--rejects", str(tmp_path / "no" / "r.csv")])
    assert result.exit_code == 1
    assert "cannot write the rejected rows" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_datahub_quarantine_to_a_folder_that_does_not_exist_says_so(command_database: str, tmp_path: Path) -> None:
    output = str(tmp_path / "no" / "rows.csv")
    result = runner.invoke(app, ["datahub", "quarantine", "--purpose", "Fix the extract", "--output", output])
    assert result.exit_code == 1
    assert "cannot write" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_datahub_withdraw_with_too_short_a_reason_says_how_long_it_must_be(command_database: str) -> None:
    result = runner.invoke(app, ["datahub", "withdraw", "council_tax", "--reason", "ended", "--yes"])
    assert result.exit_code == 1
    assert "at least 10 characters" in " ".join(result.output.split())


def test_services_import_then_list_says_one_working_day(command_database: str, tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(
        "services:\n"
        "  - {code: dead_animal, name: Dead animal, group: Streets, description: A dead animal.,\n"
        "     keywords: [fox], team: Street Cleansing, response_working_days: 1, attributes: []}\n"
        "  - {code: graffiti, name: Graffiti, group: Streets, description: Graffiti.,\n"
        "     keywords: [paint], team: Street Cleansing, response_working_days: 10, attributes: []}\n"
    )
    imported = runner.invoke(app, ["services", "import", str(catalogue)])
    assert imported.exit_code == 0 and "Added 2 services" in imported.output, imported.output
    listed = runner.invoke(app, ["services", "list"]).output
    assert "1 working day\n" in listed and "10 working days\n" in listed


def test_places_lookup_says_when_a_postcode_has_no_addresses(command_database: str) -> None:
    result = runner.invoke(app, ["places", "lookup", "zx9 9zz"])
    assert result.exit_code == 0
    assert "no addresses at zx9 9zz" in result.output


def test_datahub_quarantine_of_a_source_that_does_not_exist_names_the_sources(command_database: str) -> None:
    result = runner.invoke(app, ["datahub", "quarantine", "--purpose", "Fix the extract", "--source", "counciltax"])
    assert result.exit_code == 1
    assert "no data hub source called 'counciltax'" in result.output and "council_tax" in result.output


def test_datahub_quarantine_export_needs_a_purpose_and_is_audited_with_it(command_database: str) -> None:
    refused = runner.invoke(app, ["datahub", "quarantine"])
    assert refused.exit_code != 0 and "--purpose" in refused.output
    exported = runner.invoke(app, ["datahub", "quarantine", "--purpose", "Fix the extracts with Revenues"])
    assert exported.exit_code == 0, exported.output
    engine = create_engine(command_database)
    with engine.connect() as connection:
        audited = connection.execute(
            text("SELECT subject_type, subject_id, purpose FROM audit_entries WHERE action = 'export_quarantine'")
        ).all()
    engine.dispose()
    assert [tuple(row) for row in audited] == [("datahub_quarantine", "all", "Fix the extracts with Revenues")]


def test_help_text_is_wrapped_to_the_terminal_not_where_the_docstring_breaks(environment) -> None:
    environment.setenv("COLUMNS", "200")
    listing = runner.invoke(app, ["datahub", "--help"]).output
    assert "List the source contracts and each source's latest extract." in listing
    ingest = runner.invoke(app, ["datahub", "ingest", "--help"]).output
    assert "the one it replaces) is refused" in ingest


def test_demo_users_are_printed_one_a_line_even_when_the_output_is_not_a_terminal(
    command_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from townhall.web.cli import _print_demo_users

    _print_demo_users("127.0.0.1", 8000)
    lines = capsys.readouterr().err.splitlines()
    assert any(
        "contact-centre@demo.townhall.example" in line and "contact_centre-demo-password" in line for line in lines
    )


def test_every_command_is_documented() -> None:
    from typing import Any

    import typer.main

    root = Path(__file__).parent.parent
    documented = " ".join(path.read_text() for path in [root / "README.md", *(root / "docs").glob("*.md")])

    def command_lines(group: Any, prefix: str) -> Iterator[str]:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):  # a group of commands
                yield from command_lines(command, f"{prefix} {name}")
            else:
                yield f"{prefix} {name}"

    lines = list(command_lines(typer.main.get_command(app), "townhall"))
    assert "townhall assistant knowledge import" in lines
    assert [line for line in lines if line not in documented] == []


def test_datahub_evaluate_refuses_a_negative_number_of_pairs_to_explain() -> None:
    result = runner.invoke(app, ["datahub", "evaluate", "--explain", "-1"])
    assert result.exit_code == 2
    assert "--explain" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--port", "70000"],
        ["serve", "--workers", "0"],
        ["demo", "--port", "0"],
        ["notifications", "send", "--loop", "--every", "-1"],
    ],
)
def test_numbers_outside_what_a_command_can_use_are_refused_before_it_starts(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Invalid value" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "args", [["datahub", "ingest", "council_tax", "{folder}"], ["assistant", "eval", "--data", "{folder}"]]
)
def test_a_folder_given_for_a_file_is_called_a_folder(command_database: str, tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, [arg.format(folder=tmp_path) for arg in args])
    assert result.exit_code == 1
    assert "is a folder" in " ".join(result.output.split())


def test_a_database_migrated_by_a_newer_townhall_says_so(command_database: str, tmp_path: Path) -> None:
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as connection:  # command_database's file
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    for args in (["places", "lookup", "ZX1 0AA"], ["db", "upgrade"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert "newer version of Townhall" in " ".join(result.output.split()), args
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "says"), [(b"", "is empty"), (b"source,person_id\n\xff\xfe,1\n", "could not be read")]
)
def test_datahub_evaluate_refuses_a_truth_file_it_cannot_read(
    command_database: str, tmp_path: Path, content: bytes, says: str
) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_bytes(content)
    result = runner.invoke(app, ["datahub", "evaluate", "--truth", str(truth)])
    assert result.exit_code != 0 and says in result.output and "Traceback" not in result.output


def test_entries_a_command_writes_as_the_system_name_who_ran_it_where(command_database: str, tmp_path: Path) -> None:
    header = "claim_no,first_name,last_name,dob,sex,addr,post_code,weekly_award\n"
    (tmp_path / "ctr.csv").write_text(header + "C1,Ann,Lee,3 Mar 1984,F,1 High St,ZX1 1AB,12.50\n", encoding="utf-8")
    assert runner.invoke(app, ["datahub", "ingest", "council_tax_reduction", str(tmp_path / "ctr.csv")]).exit_code == 0
    args = ["datahub", "withdraw", "council_tax_reduction", "--reason", "Sharing agreement ended in November", "--yes"]
    assert runner.invoke(app, args).exit_code == 0
    entries, intact = audit_log_of(command_database)
    (withdrawal,) = [entry for entry in entries if entry[2] == "datahub_withdraw_source"]
    assert withdrawal[:2] == ("system", None) and withdrawal[6] == command_origin() and intact
