import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from townhall.places.importer import REQUIRED_COLUMNS, import_gazetteer
from townhall.places.models import AddressTerm, Property
from townhall.platform.errors import InvalidInput

HEADER = [*REQUIRED_COLUMNS, "sub_building_name", "building_name", "locality"]


def make_row(**overrides: str) -> dict[str, str]:
    row = {
        "uprn": "200000000001", "usrn": "41000001", "building_number": "7", "street": "Tanner Lane",
        "town": "Wexmoor", "postcode": "zx9 1ab", "ward_code": "W99", "ward_name": "Tannery", "latitude": "52.2",
        "longitude": "-0.9", "property_type": "Terraced", "council_tax_band": "b", "sub_building_name": "",
        "building_name": "", "locality": "",
    }  # fmt: skip
    row.update(overrides)
    return row


def write_extract(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_good_rows_load_and_bad_rows_are_rejected_with_reasons(empty_database, tmp_path: Path) -> None:
    rows = [
        make_row(),
        make_row(uprn="200000000002", building_number="9"),
        make_row(uprn="200000000003", postcode="not a postcode"),
        make_row(uprn="abc"),
        make_row(uprn="200000000004", latitude="40.1"),
        make_row(uprn="200000000005", council_tax_band="Z"),
        make_row(uprn="200000000006", building_number="", building_name=""),
        make_row(uprn="200000000001", building_number="11"),  # a UPRN twice
        make_row(uprn="200000000007", property_type="castle"),
    ]
    source = write_extract(tmp_path / "extract.csv", rows)
    rejects = tmp_path / "rejects.csv"
    with empty_database.engine.begin() as connection:
        report = import_gazetteer(connection, source=source, rejects=rejects)
    assert (report.loaded, report.rejected) == (2, 7)
    reasons = {r["line"]: r["reason"] for r in csv.DictReader(rejects.read_text().splitlines())}
    assert "postcode" in reasons["4"]
    assert "uprn 'abc'" in reasons["5"]
    assert "outside the United Kingdom" in reasons["6"]
    assert "band from A to H" in reasons["7"]
    assert "no building number or name" in reasons["8"]
    assert "already on line 2" in reasons["9"]
    assert "property_type 'castle'" in reasons["10"]
    with empty_database.engine.connect() as connection:
        loaded = connection.execute(select(Property).order_by(Property.uprn)).all()
        assert [(p.address, p.postcode, p.council_tax_band, p.property_type) for p in loaded] == [
            ("7 Tanner Lane, Wexmoor", "ZX9 1AB", "B", "terraced"),
            ("9 Tanner Lane, Wexmoor", "ZX9 1AB", "B", "terraced"),
        ]
        terms = connection.scalars(select(AddressTerm.term).where(AddressTerm.uprn == 200000000001)).all()
        assert {"7", "tanner", "lane", "wexmoor", "zx91ab"} <= set(terms)


def test_reimporting_updates_existing_properties(empty_database, tmp_path: Path) -> None:
    with empty_database.engine.begin() as connection:
        import_gazetteer(connection, source=write_extract(tmp_path / "a.csv", [make_row()]), rejects=tmp_path / "r.csv")
    renamed = make_row(street="Tanners Lane", council_tax_band="C")
    with empty_database.engine.begin() as connection:
        report = import_gazetteer(
            connection, source=write_extract(tmp_path / "b.csv", [renamed]), rejects=tmp_path / "r.csv"
        )
    assert report.loaded == 1
    assert not (tmp_path / "r.csv").exists()  # no rejects, no rejects file
    with empty_database.engine.connect() as connection:
        found = connection.execute(select(Property)).one()
        assert (found.address, found.council_tax_band) == ("7 Tanners Lane, Wexmoor", "C")
        terms = set(connection.scalars(select(AddressTerm.term)).all())
        assert "tanners" in terms and "tanner" not in terms


def test_a_file_without_the_required_columns_is_refused_before_loading(empty_database, tmp_path: Path) -> None:
    source = write_extract(tmp_path / "bad.csv", [make_row()], header=["uprn", "street", "postcode"])
    with (
        empty_database.engine.begin() as connection,
        pytest.raises(InvalidInput, match="no column named usrn"),
    ):
        import_gazetteer(connection, source=source, rejects=tmp_path / "r.csv")
    with empty_database.engine.connect() as connection:
        assert connection.execute(select(Property)).all() == []


def test_a_uprn_in_other_digits_is_a_rejected_row_not_a_failed_import(empty_database, tmp_path: Path) -> None:
    rows = [make_row(), make_row(uprn="²")]  # a digit to str.isdigit(), but int("²") fails
    rejects = tmp_path / "rejects.csv"
    with empty_database.engine.begin() as connection:
        report = import_gazetteer(connection, source=write_extract(tmp_path / "e.csv", rows), rejects=rejects)
    assert (report.loaded, report.rejected) == (1, 1)
    assert "uprn '²'" in rejects.read_text()
