"""`townhall bins import streams|rounds|properties|garden`: the example files load into a synthetic council and
the API answers from them; every bad line is named; a wrong file changes nothing; rounds still in use are kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, delete, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.audit_support import audit_log_of, chain_intact, entries_after, last_entry_id
from tests.conftest import small_council_file, use_council_file
from townhall.bins.import_files import garden_from_csv, rounds_from_csv, weekday_from_name
from townhall.bins.imports import import_garden, import_property_rounds, import_rounds, import_streams
from townhall.bins.models import BinScheduleChange
from townhall.bins.service import collections_for_property
from townhall.cli import app
from townhall.config import Settings
from townhall.platform import clock
from townhall.platform.audit import command_origin
from townhall.platform.csv_files import FileProblems
from townhall.web.app import create_app

runner = CliRunner()
EXAMPLES = Path(__file__).parent.parent.parent / "docs" / "examples"
TODAY = datetime(2026, 11, 29, 12, 0, tzinfo=clock.LONDON)
FIRST, SECOND, THIRD = 100090000001, 100090000002, 100090000003
ROUNDS_HEADER = "round,stream,weekday,frequency_weeks,reference_date\n"


@pytest.fixture(scope="module")
def council_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_council_file(tmp_path_factory.mktemp("bins-import"))


@pytest.fixture
def council(command_database: str, council_file: Path) -> Iterator[str]:
    """The synthetic council as the database `townhall` commands use, today fixed at Sunday 29 November 2026."""
    use_council_file(council_file, command_database)
    with clock.frozen_at(TODAY):
        yield command_database


def query(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return rows


def execute(url: str, sql: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(sql))
    engine.dispose()


def bins_import(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["bins", "import", *(str(arg) for arg in args)])
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split())


def snapshot(url: str) -> list[list[tuple[object, ...]]]:
    tables = ("bin_streams", "bin_rounds", "property_bin_rounds", "garden_subscriptions", "bin_schedule_changes")
    return [query(url, f"SELECT * FROM {table} ORDER BY 1, 2") for table in tables]


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def collections(client: TestClient, uprn: int, start: str, days: int) -> list[tuple[str, str | None]]:
    response = client.get(f"/api/v1/properties/{uprn}/collections", params={"from": start, "days": days})
    assert response.status_code == 200, response.text
    return [(c["stream"], c["date"]) for c in response.json()["collections"]]


def drop_coming_round_changes(url: str) -> None:
    """As a council going live would: the synthetic council's coming Christmas changes for its own rounds."""
    execute(url, "DELETE FROM bin_schedule_changes WHERE round_id IS NOT NULL AND original_date >= '2026-11-29'")


def load_examples(url: str) -> None:
    drop_coming_round_changes(url)
    assert bins_import("streams", EXAMPLES / "bin-streams.toml")[0] == 0
    code, output = bins_import("rounds", EXAMPLES / "bin-rounds.csv", "--properties", EXAMPLES / "bin-properties.csv")
    assert code == 0, output
    assert "8 added, 0 updated, 90 removed" in output
    assert "those with no round of each stream: refuse 297, recycling 297, garden 298, food 297" in output
    code, output = bins_import("garden", EXAMPLES / "bin-garden.csv")
    assert code == 0 and "Loaded 3 garden waste subscriptions from bin-garden.csv, 2 of them current" in output


# --- good files ---------------------------------------------------------------------------------------------------


def test_the_example_files_load_into_the_synthetic_council_and_the_api_answers_from_them(council: str) -> None:
    load_examples(council)
    assert query(council, "SELECT colour FROM bin_streams WHERE code = 'refuse'") == [("grey bin",)]
    code, output = bins_import("properties", EXAMPLES / "bin-properties.csv")
    assert code == 0 and "Loaded 11 rounds of 3 properties from bin-properties.csv" in output
    with TestClient(create_app(Settings(database_url=council, environment="test"))) as client:
        first = collections(client, FIRST, "2026-12-07", 7)
        assert first == [("food", "2026-12-07"), ("refuse", "2026-12-07"), ("garden", "2026-12-08")]
        assert collections(client, SECOND, "2026-12-07", 14) == [
            ("food", "2026-12-07"), ("refuse", "2026-12-07"), ("food", "2026-12-14"), ("recycling", "2026-12-14"),
        ]  # fmt: skip
        response = client.get("/api/v1/properties/100090000001/collections?from=2026-12-07&days=1")
        assert response.json()["collections"][0]["colour"] == "kerbside caddy"


def test_a_csv_file_of_streams_loads_too(council: str, tmp_path: Path) -> None:
    body = "code,name,colour,accepts\n" + "".join(
        f"{code},{code.title()},{code} bin,what goes in it\n" for code in ("refuse", "recycling", "garden", "food")
    )
    code, output = bins_import("streams", write(tmp_path, "streams.csv", body))
    assert code == 0 and "0 added, 4 updated, 0 removed" in output
    assert query(council, "SELECT name FROM bin_streams WHERE code = 'food'") == [("Food",)]


def test_rounds_kept_in_the_file_are_updated_in_place(council: str, tmp_path: Path) -> None:
    rows = query(council, "SELECT id, stream_code, weekday, frequency_weeks, reference_date FROM bin_rounds")
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    body = ROUNDS_HEADER + "".join(f"{r[0]},{r[1]},{days[int(r[2])]},{r[3]},{r[4]}\n" for r in rows)  # type: ignore[call-overload]
    before = snapshot(council)
    code, output = bins_import("rounds", write(tmp_path, "rounds.csv", body))
    assert code == 0 and f"0 added, {len(rows)} updated, 0 removed" in output, output
    assert snapshot(council) == before


def test_a_web_worker_that_cached_the_old_rounds_answers_with_the_new_ones(council: str) -> None:
    with TestClient(create_app(Settings(database_url=council, environment="test"))) as client:
        assert collections(client, FIRST, "2026-12-01", 7)  # caches the synthetic council's rounds
        load_examples(council)
        assert ("garden", "2026-12-08") in collections(client, FIRST, "2026-12-07", 7)


def test_garden_subscriptions_decide_the_garden_collections(council: str) -> None:
    load_examples(council)
    with TestClient(create_app(Settings(database_url=council, environment="test"))) as client:
        # Every 4 weeks on Fridays from 9 January 2026; the property subscribed until 31 March and from 1 June
        garden = [day for stream, day in collections(client, THIRD, "2026-01-01", 366) if stream == "garden"]
    assert "2026-03-06" in garden and "2026-04-03" not in garden and "2026-05-29" not in garden
    assert "2026-06-26" in garden
    assert not [day for stream, day in collections_for(council, SECOND) if stream == "garden"]


def collections_for(url: str, uprn: int) -> list[tuple[str, str | None]]:
    with TestClient(create_app(Settings(database_url=url, environment="test"))) as client:
        return collections(client, uprn, "2026-01-01", 366)


def test_each_import_writes_one_audit_entry_with_its_counts_and_file_names_only(council: str) -> None:
    already = len(audit_log_of(council)[0])
    load_examples(council)
    assert bins_import("properties", EXAMPLES / "bin-properties.csv")[0] == 0
    entries, intact = audit_log_of(council)
    assert [entry[:5] + entry[6:] for entry in entries[already:]] == [
        ("system", None, action, None, None, command_origin())
        for action in ("bins_streams_import", "bins_rounds_import", "bins_garden_import", "bins_properties_import")
    ]
    assert [entry[5] for entry in entries[already:]] == [
        "streams: 0 added, 4 updated, 0 removed; file bin-streams.toml",
        "rounds: 8 added, 0 updated, 90 removed (their past changes removed with them: 30); properties' rounds "
        "replaced: 11 rows, 3 properties; files bin-rounds.csv and bin-properties.csv",
        "garden waste subscriptions: 3 (current: 2); file bin-garden.csv",
        "properties' rounds: 11 rows, 3 properties; file bin-properties.csv",
    ]
    assert not any(str(uprn) in str(entry) for uprn in (FIRST, SECOND, THIRD) for entry in entries[already:])
    assert intact


# --- bad files: each problem named, nothing changed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        ("rounds", ROUNDS_HEADER + "A,refuse,Mon,3,2026-01-05\n", ["Line 2: The frequency_weeks '3' is not 1, 2 or 4"]),
        ("rounds", ROUNDS_HEADER + "A,paper,Monday,1,2026-01-05\n", ["Line 2: There is no stream 'paper'"]),
        ("rounds", ROUNDS_HEADER + "A,refuse,Funday,1,2026-01-05\n", ["Line 2: The weekday 'Funday' is not a day's"]),
        ("rounds", ROUNDS_HEADER + "A,refuse,Monday,2,2026-01-06\n",
         ["Line 2: The reference date, Tuesday 6 January 2026, is not a Monday"]),
        ("rounds", ROUNDS_HEADER + "A,refuse,Monday,2,2026-13-01\n", ["Line 2: The reference date '2026-13-01'"]),
        ("rounds", ROUNDS_HEADER + "A,refuse,Monday,1,2026-01-05\nA,food,Monday,1,2026-01-05\n",
         ["Line 3: The round A is already on line 2"]),
        ("rounds", "round,stream,day,frequency_weeks,reference_date\n",
         ["it has no weekday (its columns are: round, stream, day, frequency_weeks, reference_date)"]),
        ("properties", "uprn,round\n1,W01-mon-refuse-A\n", ["Line 2: There is no property with UPRN 1 in"]),
        ("properties", "uprn,round\nabc,W01-mon-refuse-A\n", ["Line 2: The UPRN 'abc' is not a number"]),
        ("properties", f"uprn,round\n{FIRST},NOPE\n", ["Line 2: There is no round 'NOPE'"]),
        ("properties", f"uprn,round\n{FIRST},W01-mon-refuse-A\n{FIRST},W01-mon-refuse-A\n",
         [f"Line 3: UPRN {FIRST} and round W01-mon-refuse-A are already on line 2"]),
        ("properties", "uprn,round\n", ["The file has no properties in it, only its header"]),
        ("garden", f"uprn,starts,ends,bins\n{FIRST},2026-04-01,2026-03-01,1\n",
         ["Line 2: The end date, Sunday 1 March 2026, is before the start date, Wednesday 1 April 2026"]),
        ("garden", f"uprn,starts,ends,bins\n{FIRST},1st April,,1\n", ["Line 2: The start date '1st April' is not a"]),
        ("garden", f"uprn,starts,ends,bins\n{FIRST},2026-04-01,,0\n", ["Line 2: The number of bins '0' is not"]),
        ("garden", f"uprn,starts,ends,bins\n{FIRST},2026-01-01,,1\n{FIRST},2026-02-01,2026-03-01,1\n",
         [f"Line 3: UPRN {FIRST}'s subscription overlaps the one on line 2"]),
        ("streams", "code,name,colour,accepts\npaper,Paper,blue bag,paper\n",
         ["Line 2: 'paper' is not a waste stream Townhall knows: use one of refuse, recycling, garden, food"]),
        ("streams", "", ["The file is empty: it needs a header row with the columns code, name, colour, accepts"]),
    ],
)  # fmt: skip
def test_each_bad_line_is_named_and_nothing_changes(
    council: str, tmp_path: Path, kind: str, body: str, expected: list[str]
) -> None:
    before, log_before = snapshot(council), audit_log_of(council)
    code, output = bins_import(kind, write(tmp_path, f"{kind}.csv", body))
    assert code == 1 and f"{kind}.csv was not loaded; nothing changed" in output, output
    for message in expected:
        assert message in output
    assert snapshot(council) == before and audit_log_of(council) == log_before


def test_every_problem_of_a_file_is_named_at_once(council: str, tmp_path: Path) -> None:
    body = f"uprn,starts,ends,bins\n{FIRST},2026-04-01,,1\n1,x,,1\n{SECOND},2026-01-01,,12\n"
    code, output = bins_import("garden", write(tmp_path, "garden.csv", body))
    assert code == 1
    assert "Line 3: There is no property with UPRN 1" in output and "Line 3: The start date 'x'" in output
    assert "Line 4: The number of bins '12'" in output and "Line 2" not in output


def test_a_file_that_is_not_utf8_is_refused(council: str, tmp_path: Path) -> None:
    path = tmp_path / "garden.csv"
    path.write_bytes(b"uprn,starts,ends,bins\n\xff\xfe,2026-01-01,,1\n")
    code, output = bins_import("garden", path)
    assert code == 1 and "garden.csv is not a UTF-8 text file" in output


def test_a_toml_file_of_streams_that_is_not_toml_is_refused(council: str, tmp_path: Path) -> None:
    code, output = bins_import("streams", write(tmp_path, "streams.toml", "[[stream]\ncode = 'refuse'\n"))
    assert code == 1 and "The file is not TOML" in output


# --- replacing what is still used ---------------------------------------------------------------------------------


def test_rounds_that_properties_are_served_by_cannot_be_left_out(council: str) -> None:
    drop_coming_round_changes(council)
    before, log_before = snapshot(council), audit_log_of(council)
    code, output = bins_import("rounds", EXAMPLES / "bin-rounds.csv")
    assert code == 1
    assert "Round W01-mon-refuse-A is not in the file, but" in output and "properties are served by it" in output
    assert "load the rounds with the properties they serve (--properties FILE)" in output
    assert snapshot(council) == before and audit_log_of(council) == log_before


def test_rounds_with_changes_from_today_cannot_be_left_out_but_past_changes_go_with_them(council: str) -> None:
    before = snapshot(council)
    properties = EXAMPLES / "bin-properties.csv"
    code, output = bins_import("rounds", EXAMPLES / "bin-rounds.csv", "--properties", properties)
    assert code == 1 and "but it has changes recorded from today: " in output
    assert "remove them first with `townhall bins changes remove ID`" in output
    assert snapshot(council) == before
    drop_coming_round_changes(council)
    assert bins_import("rounds", EXAMPLES / "bin-rounds.csv", "--properties", properties)[0] == 0
    assert query(council, "SELECT count(*) FROM bin_schedule_changes WHERE round_id IS NOT NULL") == [(0,)]
    assert query(council, "SELECT count(*) FROM bin_schedule_changes WHERE round_id IS NULL") != [(0,)]


def test_a_stream_that_rounds_collect_cannot_be_left_out(council: str, tmp_path: Path) -> None:
    body = "code,name,colour,accepts\nrefuse,Rubbish,black bin,anything\n"
    code, output = bins_import("streams", write(tmp_path, "streams.csv", body))
    assert code == 1 and "The stream 'recycling' is not in the file, but 30 rounds collect it" in output


def test_a_changed_round_whose_coming_changes_no_longer_fall_on_its_days_is_noted(council: str, tmp_path: Path) -> None:
    rows = query(council, "SELECT id, stream_code, weekday, frequency_weeks, reference_date FROM bin_rounds")
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    lines = []
    for round_id, stream, weekday, weeks, reference in rows:
        if stream == "garden":  # one week later: the Christmas cancellations fall on weeks it no longer collects
            reference = date.fromisoformat(str(reference)) + timedelta(weeks=1)
        lines.append(f"{round_id},{stream},{days[int(str(weekday))]},{weeks},{reference}\n")
    code, output = bins_import("rounds", write(tmp_path, "rounds.csv", ROUNDS_HEADER + "".join(lines)))
    assert code == 0, output
    assert "Note: 15 changes from today are for a day their round no longer collects on" in output


def test_a_file_of_properties_reports_the_properties_left_without_a_round(council: str, tmp_path: Path) -> None:
    body = f"uprn,round\n{FIRST},W01-mon-refuse-A\n{SECOND},W01-mon-refuse-A\n{SECOND},W01-mon-food-A\n"
    code, output = bins_import("properties", write(tmp_path, "properties.csv", body))
    assert code == 0
    assert "Loaded 3 rounds of 2 properties" in output
    assert "Of the gazetteer's 300 properties, those with no round of each stream: refuse 298, recycling 300, " \
           "garden 300, food 299" in output  # fmt: skip


def test_subscribers_without_a_garden_round_are_noted(council: str, tmp_path: Path) -> None:
    load_examples(council)
    body = f"uprn,starts,ends,bins\n{SECOND},2026-01-01,,1\n"
    code, output = bins_import("garden", write(tmp_path, "garden.csv", body))
    assert code == 0 and "Note: 1 current subscribers' properties have no garden waste round" in output


# --- the readers on their own -------------------------------------------------------------------------------------


def test_weekdays_are_read_by_name_in_any_case_and_short() -> None:
    assert [weekday_from_name(n) for n in ("Monday", "tue", "WEDNESDAY", "Thurs", "fri.", "Sat", "sun")] == [
        0, 1, 2, 3, 4, 5, 6,
    ]  # fmt: skip
    assert [weekday_from_name(n) for n in ("", "m", "1", "Funday")] == [None] * 4


def test_a_rounds_file_with_only_its_header_is_refused() -> None:
    with pytest.raises(FileProblems, match="The file has no rounds in it"):
        rounds_from_csv(ROUNDS_HEADER, streams={"refuse"})


def test_extra_columns_blank_lines_and_a_byte_order_mark_are_fine() -> None:
    body = "\ufeffuprn,starts,ends,bins,notes\n\n7,25/12/2026,,,paid by card\n"
    assert garden_from_csv(body, uprns={7}) == [(7, date(2026, 12, 25), None, 1)]


# --- the use cases on both databases ------------------------------------------------------------------------------


def test_the_examples_replace_the_tables_on_either_database(session: Session) -> None:
    session.execute(delete(BinScheduleChange).where(BinScheduleChange.round_id.is_not(None)))
    before = last_entry_id(session)
    example = partial(Path.read_text, encoding="utf-8")
    import_streams(session, text=example(EXAMPLES / "bin-streams.toml"), toml=True, file_name="bin-streams.toml")
    report = import_rounds(session, text=example(EXAMPLES / "bin-rounds.csv"), today=TODAY.date(),
                           file_name="bin-rounds.csv", properties_text=example(EXAMPLES / "bin-properties.csv"),
                           properties_name="bin-properties.csv")  # fmt: skip
    assert (report.added, report.coverage and report.coverage.without["food"]) == (8, 1497)
    garden = import_garden(session, text=example(EXAMPLES / "bin-garden.csv"), today=TODAY.date(),
                           file_name="bin-garden.csv")  # fmt: skip
    assert (garden.subscriptions, garden.current, garden.current_without_round) == (3, 2, 0)
    schedule = collections_for_property(session, uprn=THIRD, start=date(2026, 6, 22), days=7)
    assert [(c.stream.code.value, c.date) for c in schedule.collections] == [
        ("food", date(2026, 6, 25)), ("refuse", date(2026, 6, 25)), ("garden", date(2026, 6, 26)),
    ]  # fmt: skip
    audited = [(actor, action, purpose) for actor, _, action, _, _, purpose, _ in entries_after(session, before)]
    assert [(actor, action) for actor, action, _ in audited] == [
        ("system", "bins_streams_import"), ("system", "bins_rounds_import"), ("system", "bins_garden_import"),
    ]  # fmt: skip
    assert audited[2][2] == "garden waste subscriptions: 3 (current: 2); file bin-garden.csv"
    with pytest.raises(FileProblems, match="Line 2: There is no round 'W01-mon-refuse-A'"):
        import_property_rounds(session, text=f"uprn,round\n{FIRST},W01-mon-refuse-A\n", file_name="properties.csv")
    assert len(entries_after(session, before)) == 3 and chain_intact(session)
