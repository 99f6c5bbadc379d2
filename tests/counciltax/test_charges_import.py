"""Loading a year's charges from a TOML file: the checks, the load in one transaction, the API after, the commands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.audit_support import audit_log_of, chain_intact, entries_after, last_entry_id
from townhall.cli import app
from townhall.counciltax.charges_file import parse_charges_file, read_charges_file
from townhall.counciltax.charges_import import load_charges
from townhall.counciltax.models import Parish, Precept
from townhall.platform.audit import command_origin
from townhall.platform.errors import Conflict, InvalidInput

EXAMPLE = Path(__file__).parent.parent.parent / "docs" / "examples" / "charges-2027.toml"
runner = CliRunner()

BASE_BODIES = [
    {"name": "Wexmoor Borough Council", "kind": "district", "band_d": '"244.83"'},
    {"name": "Wexshire County Council", "kind": "county", "band_d": '"1817.30"'},
]


def make_charges_toml(
    *, year: str = "2027", bodies: list[dict[str, str]] | None = None, parishes: Sequence[dict[str, str]] = ()
) -> str:
    """A charges file; `band_d` values are written as given (quote them for text), other values as text."""
    lines = [f"financial_year = {year}"]
    for parish in parishes:
        lines += ["[[parish]]", *(f'{key} = "{value}"' for key, value in parish.items())]
    for body in BASE_BODIES if bodies is None else bodies:
        lines.append("[[body]]")
        lines += [f"{key} = {value}" if key == "band_d" else f'{key} = "{value}"' for key, value in body.items()]
    return "\n".join(lines) + "\n"


def precepts_of(session: Session, year: int) -> dict[str, int]:
    rows = session.execute(select(Precept.body, Precept.band_d_pence).where(Precept.financial_year == year))
    return {body: pence for body, pence in rows}


# --- the file on its own --------------------------------------------------------------------------------------


def test_the_example_file_is_valid_and_its_amounts_are_exact_pence() -> None:
    charges = read_charges_file(EXAMPLE)
    assert charges.financial_year == 2027
    amounts = {body.name: body.band_d_pence for body in charges.body}
    assert amounts["Wexshire County Council"] == 181_730 and amounts["Abbey Town Council"] == 1_850
    assert [p.ward_code for p in charges.parish] == ["W01"]


@pytest.mark.parametrize(
    ("band_d", "expected"),
    [
        ('"245.678"', "body 1 (\"Wexmoor Borough Council\"), band_d: '245.678' has more than two decimal places"),
        ("245.67", 'band_d: must be written in quotes, like "245.67", so that the amount is exact'),
        ('"-12.00"', "band_d: cannot be negative"),
        ('"0.00"', "band_d: must be more than £0.00"),
        ('"£245.67"', "band_d: '£245.67' is not an amount"),
        ('"9000"', "band_d: £9,000.00 is too much for one body's Band D"),
    ],
)
def test_an_amount_that_is_not_exact_pounds_and_pence_is_refused_naming_the_body(band_d: str, expected: str) -> None:
    bodies = [{**BASE_BODIES[0], "band_d": band_d}, BASE_BODIES[1]]
    with pytest.raises(InvalidInput) as raised:
        parse_charges_file(make_charges_toml(bodies=bodies), origin="charges-2027.toml")
    assert str(raised.value).startswith("charges-2027.toml: ")
    assert expected in str(raised.value)


@pytest.mark.parametrize("year", ["1999", "2100", '"2027"', "2027.5"])
def test_a_year_outside_2000_to_2099_is_refused(year: str) -> None:
    with pytest.raises(InvalidInput, match=r"financial_year: .* is not a financial year: .* from 2000 to 2099"):
        parse_charges_file(make_charges_toml(year=year))


def test_a_body_listed_twice_or_a_missing_district_or_two_counties_are_each_named() -> None:
    bodies = [
        BASE_BODIES[1],
        {**BASE_BODIES[1], "name": "wexshire county council"},  # the same body, however it is capitalised
        {"name": "Ashby Parish Council", "kind": "parish", "band_d": '"31.20"'},
    ]
    with pytest.raises(InvalidInput) as raised:
        parse_charges_file(make_charges_toml(bodies=bodies), origin="f.toml")
    message = str(raised.value)
    assert message.startswith("f.toml has 4 problems:\n")
    assert 'body 2 ("wexshire county council"), name: the same body is already body 1' in message
    assert 'body 3 ("Ashby Parish Council"), parish: a parish or town council needs the parish' in message
    assert "there are 2 bodies of kind county" in message
    assert "there is no body of kind district" in message


def test_unknown_fields_kinds_and_missing_names_are_named() -> None:
    bodies = [{**BASE_BODIES[0], "kind": "borough"}, {"kind": "police", "band_d": '"300"', "bandd": "1"}]
    with pytest.raises(InvalidInput) as raised:
        parse_charges_file(make_charges_toml(bodies=bodies))
    message = str(raised.value)
    assert "'borough' is not a kind of body: kinds are district, county, police, fire, parish" in message
    assert "body 2, name: is missing" in message
    assert "body 2, bandd: is not a field this file has" in message


def test_a_file_that_is_not_toml_or_has_no_bodies_says_so() -> None:
    with pytest.raises(InvalidInput, match="is not valid TOML"):
        parse_charges_file("financial_year = [", origin="x.toml")
    with pytest.raises(InvalidInput, match="must list at least one body"):
        parse_charges_file("financial_year = 2027\n")


# --- loading into the database ----------------------------------------------------------------------------------


def test_the_example_loads_and_the_api_gives_each_band_by_the_ninths(session: Session, client: TestClient) -> None:
    loaded = load_charges(session, charges=read_charges_file(EXAMPLE), file_name=EXAMPLE.name)
    assert loaded.parishes_added == ["Abbey Town Council"] and loaded.replaced == 0
    assert loaded.band_d_without_parish.total_pence == 24_483 + 181_730 + 32_014 + 9_747
    session.commit()  # a savepoint only: the test's transaction is rolled back after it

    answer = client.get("/api/v1/counciltax/charges", params={"year": 2027})
    assert answer.status_code == 200, answer.text
    assert "cache-control" not in answer.headers  # as docs/counciltax.md says: nothing keeps last year's answer
    bands = {band["band"]: band for band in answer.json()["bands"]}
    a_parts = {part["body"]: part["pence"] for part in bands["A"]["parts"]}
    assert a_parts["Wexmoor Borough Council"] == 16_322  # 24,483 x 6/9 = 16,322 exactly
    b_parts = {part["body"]: part["pence"] for part in bands["B"]["parts"]}
    assert b_parts["Wexshire County Council"] == 141_346  # 181,730 x 7/9 = 141,345.56, rounded up
    assert b_parts["Wexmoor Borough Council"] == 19_042  # 24,483 x 7/9 = 19,042.33, rounded down
    assert bands["D"]["total_pence"] == 247_974 and bands["D"]["total"] == "£2,479.74"
    assert bands["H"]["total_pence"] == 2 * 247_974  # 18/9 of each body: no rounding at all

    in_abbey = client.get("/api/v1/counciltax/charges", params={"year": 2027, "parish": "Abbey Town Council"})
    h_parts = {part["body"]: part["pence"] for part in in_abbey.json()["bands"][-1]["parts"]}
    assert h_parts["Abbey Town Council"] == 3_700  # Band H is twice Band D
    assert session.get(Parish, "Abbey Town Council").ward_code == "W01"  # type: ignore[union-attr]


def test_a_year_with_charges_is_refused_without_replace_and_replaced_whole_with_it(session: Session) -> None:
    before = precepts_of(session, 2026)
    assert len(before) >= 5  # the test council's four bodies and its parishes
    new_year = parse_charges_file(make_charges_toml(year="2026"))
    last_id = last_entry_id(session)
    with pytest.raises(Conflict, match=r"2026/27 already has charges .* --replace"):
        load_charges(session, charges=new_year, file_name="charges-2026.toml")
    assert precepts_of(session, 2026) == before and entries_after(session, last_id) == []

    loaded = load_charges(session, charges=new_year, file_name="charges-2026.toml", replace=True)
    assert loaded.replaced == len(before)
    details = (f"2026/27: precepting bodies 2, new parishes 0; the year's earlier precepts replaced: {len(before)}; "
               "file charges-2026.toml")  # fmt: skip
    assert entries_after(session, last_id) == [("system", None, "counciltax_charges_import", None, None, details, None)]
    assert chain_intact(session)
    assert precepts_of(session, 2026) == {"Wexmoor Borough Council": 24_483, "Wexshire County Council": 181_730}
    assert [kind.value for kind in loaded.kinds_missing] == [
        "police and crime commissioner",
        "fire and rescue authority",
    ]
    assert loaded.parishes_without_precept == sorted(session.scalars(select(Parish.name)))
    assert precepts_of(session, 2025)  # other years untouched


def test_an_unknown_parish_or_ward_is_named_and_nothing_is_written(session: Session) -> None:
    parishes_before = session.scalar(select(func.count()).select_from(Parish))
    castle_ward = session.scalar(select(Parish.ward_code).where(Parish.name == "Castle Parish Council"))
    bodies = [
        *BASE_BODIES,
        {"name": "Nowhere Parish Council", "kind": "parish", "parish": "Nowhere", "band_d": '"20.00"'},
        {"name": "Hill Parish Council", "kind": "parish", "parish": "Hill Parish Council", "band_d": '"20.00"'},
        {"name": "Dale Parish Council", "kind": "parish", "parish": "Dale Parish Council", "band_d": '"20.00"'},
    ]
    parishes = [
        {"name": "Hill Parish Council", "ward_code": "Z99"},
        {"name": "Dale Parish Council", "ward_code": str(castle_ward)},
    ]
    charges = parse_charges_file(make_charges_toml(bodies=bodies, parishes=parishes))
    last_id = last_entry_id(session)
    with pytest.raises(InvalidInput) as raised:
        load_charges(session, charges=charges, file_name="charges-2027.toml")
    message = str(raised.value)
    assert message.startswith("3 problems:")
    assert 'parish 1 ("Hill Parish Council"), ward_code: there is no ward Z99 in the gazetteer' in message
    assert f"ward {castle_ward} is already covered by Castle Parish Council" in message
    assert 'body 3 ("Nowhere Parish Council"), parish: there is no parish "Nowhere"; declare it' in message
    assert precepts_of(session, 2027) == {}
    assert session.scalar(select(func.count()).select_from(Parish)) == parishes_before
    assert entries_after(session, last_id) == []


def test_a_known_parish_is_found_whatever_its_capitals(session: Session) -> None:
    bodies = [
        *BASE_BODIES,
        {"name": "Castle PC", "kind": "parish", "parish": "castle parish council", "band_d": '"40"'},
    ]
    loaded = load_charges(session, charges=parse_charges_file(make_charges_toml(bodies=bodies)), file_name="c.toml")
    assert list(loaded.band_d_by_parish) == ["Castle Parish Council"]
    assert loaded.band_d_by_parish["Castle Parish Council"].total_pence == 24_483 + 181_730 + 4_000


# --- the commands -----------------------------------------------------------------------------------------------


def _one_line(output: str) -> str:
    return " ".join(output.split())  # however the console wrapped it


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_import_then_show_then_refuse_then_replace(command_database: str, tmp_path: Path) -> None:
    engine = create_engine(command_database)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO wards (code, name) VALUES ('E05000001', 'Ashby')"))
    bodies = [*BASE_BODIES, {"name": "Ashby Parish Council", "kind": "parish", "parish": "Ashby", "band_d": '"31.20"'}]
    first = _write(tmp_path, "charges-2027.toml", make_charges_toml(
        bodies=bodies, parishes=[{"name": "Ashby", "ward_code": "E05000001"}]
    ))  # fmt: skip
    loaded = runner.invoke(app, ["counciltax", "charges", "import", str(first)])
    assert loaded.exit_code == 0, loaded.output
    printed = _one_line(loaded.output)
    assert "Loaded the charges for 2027/28" in printed and "New parish: Ashby" in printed
    assert "£244.83" in printed and "£1,817.30" in printed and "£31.20" in printed
    assert "Band D total where no parish precepts: £2,062.13" in printed
    assert "Ashby £2,093.33" in printed
    assert "has no police and crime commissioner, fire and rescue authority" in printed

    shown = runner.invoke(app, ["counciltax", "charges", "show", "--year", "2027", "--parish", "Ashby"])
    assert shown.exit_code == 0, shown.output
    assert "A 6/9 £163.22 £1,211.53 £20.80 £1,395.55" in _one_line(shown.output)  # 3,120 x 6/9 = 2,080

    again = runner.invoke(app, ["counciltax", "charges", "import", str(first)])
    assert again.exit_code == 1 and "--replace" in again.output and "Traceback" not in again.output

    second = _write(tmp_path, "second.toml", make_charges_toml(bodies=[{**BASE_BODIES[0], "band_d": '"250"'}]))
    replaced = runner.invoke(app, ["counciltax", "charges", "import", str(second), "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert "Replaced the 3 precepts of 2027/28" in _one_line(replaced.output)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT body, band_d_pence FROM ct_precepts")).all()
    assert [tuple(row) for row in rows] == [("Wexmoor Borough Council", 25_000)]
    engine.dispose()
    # one entry per load, none for the refused one
    first_load = ("2027/28: precepting bodies 3, new parishes 1; the year's earlier precepts replaced: none (a new "
                  "year); file charges-2027.toml")  # fmt: skip
    replacing = (
        "2027/28: precepting bodies 1, new parishes 0; the year's earlier precepts replaced: 3; file second.toml"
    )
    entry = ("system", None, "counciltax_charges_import", None, None)
    origin = command_origin()  # who ran the command, where
    assert audit_log_of(command_database) == ([(*entry, first_load, origin), (*entry, replacing, origin)], True)


def test_a_bad_file_or_year_is_a_message_and_nothing_is_loaded(command_database: str, tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.toml", make_charges_toml(bodies=[{**BASE_BODIES[0], "band_d": "245.67"}]))
    result = runner.invoke(app, ["counciltax", "charges", "import", str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert 'bad.toml: body 1 ("Wexmoor Borough Council"), band_d: must be written in quotes' in _one_line(result.output)
    missing = runner.invoke(app, ["counciltax", "charges", "import", str(tmp_path / "nope.toml")])
    assert missing.exit_code == 1 and "There is no file at" in missing.output
    unknown_year = runner.invoke(app, ["counciltax", "charges", "show", "--year", "2031"])
    assert unknown_year.exit_code == 1 and "no council tax charges for 2031" in _one_line(unknown_year.output)
    engine = create_engine(command_database)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ct_precepts")).scalar_one() == 0
    engine.dispose()
    assert audit_log_of(command_database) == ([], True)


def test_a_failure_after_writing_leaves_the_year_as_it_was(
    command_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _write(tmp_path, "first.toml", make_charges_toml())
    assert runner.invoke(app, ["counciltax", "charges", "import", str(first)]).exit_code == 0
    second = _write(tmp_path, "second.toml", make_charges_toml(bodies=[{**BASE_BODIES[0], "band_d": '"250"'}]))

    def database_gives_way(*args: object, **kwargs: object) -> object:
        raise OperationalError("SELECT ...", {}, Exception("disk I/O error"))

    # fails after the year's precepts were deleted and the new ones written: the transaction must undo both
    monkeypatch.setattr("townhall.counciltax.charges_import.precepts_for", database_gives_way)
    failed = runner.invoke(app, ["counciltax", "charges", "import", str(second), "--replace"])
    assert failed.exit_code == 1 and "nothing was saved" in _one_line(failed.output), failed.output
    engine = create_engine(command_database)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT body, band_d_pence FROM ct_precepts ORDER BY body")).all()
    assert [tuple(row) for row in rows] == [("Wexmoor Borough Council", 24_483), ("Wexshire County Council", 181_730)]
    engine.dispose()
    entries, intact = audit_log_of(command_database)
    assert [entry[5] for entry in entries] == [
        "2027/28: precepting bodies 2, new parishes 0; the year's earlier precepts replaced: none (a new year); "
        "file first.toml"
    ]  # nothing for the failed load
    assert intact


def test_the_audit_entry_is_in_the_loads_transaction(
    command_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from townhall.counciltax import charges_import

    def written_then_the_database_gives_way(*args: object, **kwargs: object) -> int:
        record_access(*args, **kwargs)  # type: ignore[arg-type]
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    record_access = charges_import.record_access
    monkeypatch.setattr(charges_import, "record_access", written_then_the_database_gives_way)
    first = _write(tmp_path, "first.toml", make_charges_toml())
    failed = runner.invoke(app, ["counciltax", "charges", "import", str(first)])
    assert failed.exit_code == 1 and "nothing was saved" in _one_line(failed.output), failed.output
    engine = create_engine(command_database)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ct_precepts")).scalar_one() == 0
    engine.dispose()
    assert audit_log_of(command_database) == ([], True)
