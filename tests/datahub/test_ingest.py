from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from townhall.datahub.models import DatahubRecord, IngestBatch, OfficerDecision, QuarantinedRow
from townhall.datahub.service import (
    ingest_extract,
    quarantine_csv,
    quarantined_rows,
    read_extract,
    source_registry,
    usable_contract,
)
from townhall.datahub.service.ingest import INGEST_STEPS
from townhall.platform import clock
from townhall.platform.errors import InvalidInput

TODAY = date(2026, 11, 1)
CTR_COLUMNS = ["claim_no", "first_name", "last_name", "dob", "sex", "addr", "post_code", "weekly_award"]


def _ctr(rows: list[list[object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=CTR_COLUMNS)


def _ingest(session: Session, raw: pd.DataFrame, source: str = "council_tax_reduction", *, force: bool = True):
    """Ingest ``raw``; forced by default, as these small hand-made extracts replace the test council's large ones."""
    contract = usable_contract(source_registry(), source)
    return ingest_extract(session, contract=contract, raw=raw, file_name="test.csv", today=TODAY, force=force)


def _count(session: Session, source: str) -> int:
    return session.scalar(select(func.count()).where(DatahubRecord.source == source)) or 0


def test_free_text_addresses_get_uprns_exactly_or_fuzzily(session: Session, sample_property) -> None:
    address, postcode = sample_property["address"], sample_property["postcode"]
    misspelt = address.replace(sample_property["street_name"], sample_property["street_name"][:-1] + "x", 1)
    raw = _ctr(
        [
            ["C1", "Ann", "Lee", "3 Mar 1984", "F", address.upper(), postcode.lower().replace(" ", ""), "10.5"],
            ["C2", "Bob", "Lee", "4 Apr 1980", "M", misspelt, postcode, "3"],
            ["C3", "Cat", "Lee", "5 May 1981", "F", "999 Nowhere Street", postcode, "3"],
        ]
    )
    report = _ingest(session, raw)
    assert report.rows_loaded == 3
    found = {
        r.source_record_id: (r.uprn, r.uprn_match)
        for r in session.scalars(select(DatahubRecord).where(DatahubRecord.source == "council_tax_reduction"))
    }
    assert found["C1"] == (sample_property["uprn"], "exact")
    assert found["C2"] == (sample_property["uprn"], "fuzzy")
    assert found["C3"] == (None, "none")
    assert report.uprns_matched == {"source": 0, "exact": 1, "fuzzy": 1, "none": 1}


def test_bad_rows_are_quarantined_with_reasons_and_nothing_is_dropped(session: Session) -> None:
    raw = _ctr(
        [
            ["C1", "Ann", "Lee", "3 Mar 1984", "F", "1 High Street", "ZX1 1AB", "1"],
            ["C2", "Bob", "Lee", "31/02/1980", "M", "1 High Street", "ZX1 1AB", "1"],
            ["C3", "Cat", "Lee", "5 May 2099", "F", "1 High Street", "ZX1 1AB", "1"],
            ["C4", "Dan", "Lee", "5 May 1801", "M", "1 High Street", "ZX1 1AB", "1"],
            ["C5", "Eve", "Lee", "6 Jun 1990", "F", "1 High Street", "ZX1 1A", "1"],
            ["C6", "Fay", "Lee", "6 Jun 1990", "F", "1 High Street", "ZX1 1AB", "1"],
            ["C6", "Gus", "Lee", "7 Jul 1991", "M", "1 High Street", "ZX1 1AB", "1"],
        ]
    )
    report = _ingest(session, raw)
    assert report.rows_loaded + report.rows_quarantined == len(raw)
    reasons = {
        entry.raw["claim_no"] + "@" + str(entry.row_number): entry.reason
        for entry in quarantined_rows(session, source="council_tax_reduction")
    }
    assert "not in the format %d %b %Y" in reasons["C2@2"]
    assert "in the future" in reasons["C3@3"]
    assert "more than 120 years ago" in reasons["C4@4"]
    assert "not in the format of a UK postcode" in reasons["C5@5"]
    assert "appears more than once" in reasons["C6@6"] and "appears more than once" in reasons["C6@7"]
    assert _count(session, "council_tax_reduction") == 1
    exported = quarantine_csv(session, source="council_tax_reduction").splitlines()
    assert exported[0].startswith("source,batch_id,row_number,reason,claim_no")
    assert len(exported) == 1 + 6


def test_columns_that_differ_from_the_contract_are_refused_before_anything_loads(session: Session) -> None:
    before = session.scalar(select(func.count()).select_from(IngestBatch))
    raw = (
        _ctr([["C1", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"]])
        .rename(columns={"dob": "date_of_birth"})
        .assign(nino="QQ123456C")
    )
    with pytest.raises(InvalidInput) as error:
        _ingest(session, raw)
    assert "dob" in error.value.message and "date_of_birth" in error.value.message and "nino" in error.value.message
    assert "Nothing was loaded" in error.value.message
    assert session.scalar(select(func.count()).select_from(IngestBatch)) == before


def test_an_empty_extract_is_an_error_not_everyone_leaving(session: Session, tmp_path: Path) -> None:
    before = _count(session, "council_tax")
    assert before > 0  # the synthetic council's extract
    empty = tmp_path / "council_tax.csv"
    empty.write_text("ACCOUNT_REF,FORENAME,SURNAME,DOB,PROPERTY_UPRN,ADDRESS_LINE,POSTCODE,BAND,LIABILITY_START\n")
    with pytest.raises(InvalidInput, match="no rows"):
        _ingest(session, read_extract(empty), "council_tax")
    (tmp_path / "blank.csv").write_text("")
    with pytest.raises(InvalidInput, match="empty"):
        read_extract(tmp_path / "blank.csv")
    assert _count(session, "council_tax") == before


def test_a_new_extract_replaces_the_previous_one_for_its_source_only(session: Session, tmp_path: Path) -> None:
    others = _count(session, "council_tax")
    first = _ctr([[f"C{i}", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"] for i in range(5)])
    path = tmp_path / "ctr.parquet"
    first.to_parquet(path)
    _ingest(session, read_extract(path))
    assert _count(session, "council_tax_reduction") == 5
    report = _ingest(session, first.iloc[:2])
    assert report.replaced_records == 5
    assert _count(session, "council_tax_reduction") == 2
    assert _count(session, "council_tax") == others


def test_a_file_that_is_neither_csv_nor_parquet_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(InvalidInput, match="not a CSV or Parquet"):
        read_extract(tmp_path / "x.xlsx")


def test_service_facts_are_stored_as_json_text_or_null_whatever_the_value() -> None:
    import json

    from townhall.datahub.service.ingest import _facts_json

    clean = pd.DataFrame(
        {
            "first_name": ["ANN"] * 4,
            "fact_band": ["A/B", None, 'é"', float("nan")],
            "fact_weekly_award": ["1.5", 2, None, True],
        }
    )
    assert [json.loads(text) for text in _facts_json(clean)] == [
        {"band": "A/B", "weekly_award": "1.5"},
        {"band": None, "weekly_award": 2},
        {"band": 'é"', "weekly_award": None},
        {"band": None, "weekly_award": True},
    ]
    assert _facts_json(clean[["first_name"]]) == ["{}"] * 4
    stamps = pd.DataFrame(  # a Parquet extract's date-time column: a date at midnight, else to the second
        {
            "fact_start": pd.to_datetime(["2011-02-08", "2011-02-08 13:45:10.5", None], format="ISO8601"),
            "fact_on": [date(2020, 1, 2)] * 3,
        }
    )
    assert [json.loads(text) for text in _facts_json(stamps)] == [
        {"start": "2011-02-08", "on": "2020-01-02"},
        {"start": "2011-02-08T13:45:10", "on": "2020-01-02"},
        {"start": None, "on": "2020-01-02"},
    ]


def test_a_windows_1252_extract_is_read_when_its_contract_says_so(tmp_path: Path) -> None:
    path = tmp_path / "ctr.csv"
    path.write_bytes("claim_ref,name\nC1,Siân Jones £\n".encode("cp1252"))
    with pytest.raises(InvalidInput) as error:
        read_extract(path)
    assert "is not utf-8 text: byte E2 at position" in error.value.message
    assert 'encoding = "cp1252"' in error.value.message and "Nothing was loaded" in error.value.message
    frame = read_extract(path, "cp1252")
    assert frame.loc[0, "name"] == "Siân Jones £"


def test_a_utf8_extract_may_start_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "ctr.csv"
    path.write_bytes("claim_ref,name\nC1,Siân\n".encode("utf-8-sig"))
    assert list(read_extract(path).columns) == ["claim_ref", "name"]


def test_a_header_naming_a_column_twice_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "ctr.csv"
    path.write_text("claim_no,first_name,first_name\nC1,Ann,Lee\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="names the column first_name more than once"):
        read_extract(path)


def test_an_extract_that_looks_wrong_is_refused_and_the_previous_one_kept(session: Session) -> None:
    _ingest(session, _ctr([[f"C{i}", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"] for i in range(10)]))
    reformatted = _ctr([[f"C{i}", "Ann", "Lee", "1984-03-03", "F", "1 High St", "ZX1 1AB", "1"] for i in range(10)])
    with pytest.raises(InvalidInput) as error:  # every date of birth now in another format
        _ingest(session, reformatted, force=False)
    assert "none of its 10 rows can be loaded" in error.value.message
    assert "for 10 rows: date '…' is not in the format" in error.value.message
    mostly_bad = pd.concat(
        [reformatted.iloc[:7], _ctr([["C8", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"]] * 1)]
    )
    mostly_bad = pd.concat(
        [mostly_bad, _ctr([[f"D{i}", "Bo", "Li", "3 Mar 1984", "M", "2 High St", "ZX1 1AB", "1"] for i in range(2)])]
    )
    with pytest.raises(InvalidInput, match=r"7 of its 10 rows would be quarantined.*--force"):
        _ingest(session, mostly_bad, force=False)
    cut_short = _ctr([[f"C{i}", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"] for i in range(4)])
    with pytest.raises(InvalidInput, match="replace the source's 10 records with 4"):
        _ingest(session, cut_short, force=False)
    assert _count(session, "council_tax_reduction") == 10
    with pytest.raises(InvalidInput, match="none of its 10 rows"):  # not even when forced
        _ingest(session, reformatted, force=True)
    assert _ingest(session, cut_short, force=True).rows_loaded == 4


def test_values_outside_the_contract_are_quarantined_not_dropped(session: Session) -> None:
    rows = [
        ["C1", "Ann", "Lee", "3 Mar 1984", " f ", "1 High St", "ZX1 1AB", "1"],
        ["C2", "Ann", "Lee", "3 Mar 1984", "Unknown", "1 High St", "ZX1 1AB", "1"],
        ["C3", "Ann", "Lee", "3 Mar 1984", "X", "1 High St", "ZX1 1AB", "1"],
        ["C4", "A" * 81, "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"],
        ["C5", "Ann", "Lee", "3 Mar 1984", "F", "9" * 301, "ZX1 1AB", "1"],
    ]
    report = _ingest(session, _ctr(rows))
    reasons = {row.raw["claim_no"]: row.reason for row in quarantined_rows(session, source="council_tax_reduction")}
    assert report.rows_loaded == 2 and set(reasons) == {"C3", "C4", "C5"}
    assert reasons["C3"] == "sex 'X' is not one of the contract's values (F, M)"
    assert reasons["C4"] == "first name is longer than 80 characters (81)"
    assert reasons["C5"] == "address is longer than 300 characters (301)"
    sexes = dict(
        session.execute(
            select(DatahubRecord.source_record_id, DatahubRecord.sex).where(
                DatahubRecord.source == "council_tax_reduction"
            )
        ).all()
    )
    assert sexes == {"C1": "F", "C2": None}


def test_an_ingest_reports_each_step_as_it_starts_and_ends(session: Session) -> None:
    steps: list[tuple[str, int, int]] = []
    contract = usable_contract(source_registry(), "council_tax_reduction")
    raw = _ctr([[f"C{i}", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"] for i in range(3)])
    ingest_extract(
        session,
        contract=contract,
        raw=raw,
        file_name="t.csv",
        today=TODAY,
        force=True,
        progress=lambda *s: steps.append(s),
    )
    assert [step for step in steps if step[1] == 1] == [(name, 1, 1) for name in INGEST_STEPS]
    assert [step for step in steps if step[1] == 0] == [(name, 0, 1) for name in INGEST_STEPS]


def test_an_involved_since_date_that_is_not_a_date_is_quarantined(session: Session) -> None:
    contract = usable_contract(source_registry(), "council_tax")
    header = ["ACCOUNT_REF", "FORENAME", "SURNAME", "DOB", "PROPERTY_UPRN", "ADDRESS_LINE", "POSTCODE", "BAND"]
    rows = [
        ["T1", "Ann", "Lee", "03/04/1990", "1", "1 High St", "ZX1 1AB", "A", "08/11/2021"],
        ["T2", "Bo", "Li", "03/04/1991", "2", "2 High St", "ZX1 1AB", "B", "not a date"],
        ["T3", "Cy", "Lu", "03/04/1992", "3", "3 High St", "ZX1 1AB", "C", None],
    ]
    raw = pd.DataFrame(rows, columns=[*header, "LIABILITY_START"])
    report = ingest_extract(session, contract=contract, raw=raw, file_name="t.csv", today=TODAY, force=True)
    assert (report.rows_loaded, report.rows_quarantined) == (2, 1)
    (held,) = quarantined_rows(session, source="council_tax")
    assert held.reason == "liability start: date 'not a date' is not in a recognised date format"


def test_a_new_extract_takes_the_old_ones_quarantine_and_the_decisions_about_records_it_no_longer_holds(
    session: Session, sample_property
) -> None:
    postcode = sample_property["postcode"]
    _ingest(session, _ctr([["C1", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", postcode, "3"],
                           ["C2", "Bob", "Lee", "4 Apr 1980", "M", "1 High St", postcode, "3"],
                           ["C3", "Cat", "Lee", "not a date", "F", "1 High St", postcode, "3"]]))  # fmt: skip
    for a, b in (("council_tax_reduction:C1", "council_tax_reduction:C2"), ("council_tax_reduction:C2", "x:1")):
        session.add(OfficerDecision(record_a=a, record_b=b, same_person=False, reason="A mother and her son",
                                    decided_by="o", decided_at=clock.now()))  # fmt: skip
    session.flush()

    report = _ingest(session, _ctr([["C1", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", postcode, "3"]]))

    kept = session.scalars(select(QuarantinedRow.batch_id).where(QuarantinedRow.source == "council_tax_reduction"))
    assert set(kept) <= {report.batch_id}  # nothing held from the extract it replaced
    # C2 left the source's extract: the decisions naming it, with their reasons about the resident, go with it
    assert session.scalar(select(func.count()).select_from(OfficerDecision)) == 0


def test_decisions_about_a_record_held_back_in_quarantine_stay_for_when_it_returns(session: Session) -> None:
    rows = [["C1", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "3"],
            ["C2", "Bob", "Lee", "4 Apr 1980", "M", "1 High St", "ZX1 1AB", "3"],
            ["C3", "Cat", "Lee", "5 May 1981", "F", "1 High St", "ZX1 1AB", "3"]]  # fmt: skip
    _ingest(session, _ctr(rows))
    for a, b in (("C1", "C2"), ("C1", "C3")):
        session.add(OfficerDecision(record_a=f"council_tax_reduction:{a}", record_b=f"council_tax_reduction:{b}",
                                    same_person=False, reason="A mother and her son", decided_by="o",
                                    decided_at=clock.now()))  # fmt: skip
    session.flush()
    mistyped = [rows[0], [*rows[1][:3], "31 Feb 1980", *rows[1][4:]]]  # C2's date mistyped, C3 gone

    report = _ingest(session, _ctr(mistyped))

    assert (report.rows_quarantined, report.decisions_forgotten) == (1, 1)
    (kept,) = session.scalars(select(OfficerDecision.record_b))
    assert kept == "council_tax_reduction:C2"


def test_identifiers_are_read_the_same_whatever_the_file_padded_them_with(session: Session) -> None:
    rows = [[f"C{i}", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"] for i in range(10)]
    _ingest(session, _ctr(rows))
    padded = [[f" C{i}   ", *row[1:]] for i, row in enumerate(rows)]
    _ingest(session, _ctr(padded), force=False)
    keys = session.scalars(select(DatahubRecord.record_key).where(DatahubRecord.source == "council_tax_reduction"))
    assert sorted(keys) == sorted(f"council_tax_reduction:C{i}" for i in range(10))


def test_an_extract_whose_identifiers_mostly_changed_is_refused_unless_forced(session: Session) -> None:
    _ingest(session, _ctr([[f"C{i}", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"] for i in range(10)]))
    renumbered = _ctr([[f"N{i}", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"] for i in range(10)])
    with pytest.raises(InvalidInput, match=r"only 0 of the 10 record identifiers .* --force"):
        _ingest(session, renumbered, force=False)
    assert _count(session, "council_tax_reduction") == 10
    assert _ingest(session, renumbered, force=True).rows_loaded == 10


def test_whole_number_identifiers_from_a_parquet_column_of_decimals_keep_their_form(session: Session) -> None:
    raw = _ctr([[float(i), "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"] for i in range(1, 4)])
    _ingest(session, raw)
    keys = session.scalars(select(DatahubRecord.record_key).where(DatahubRecord.source == "council_tax_reduction"))
    assert sorted(keys) == ["council_tax_reduction:1", "council_tax_reduction:2", "council_tax_reduction:3"]


def test_every_copy_of_a_repeated_identifier_is_quarantined_even_when_one_copy_fails_another_check(
    session: Session,
) -> None:
    rows = [["C1", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "1"],
            ["C1", "Bob", "Lee", "31 Feb 1980", "M", "1 High St", "ZX1 1AB", "1"],
            ["C2", "Cat", "Lee", "5 May 1981", "F", "1 High St", "ZX1 1AB", "1"]]  # fmt: skip
    report = _ingest(session, _ctr(rows))
    assert (report.rows_loaded, report.rows_quarantined) == (1, 2)
    reasons = {row.row_number: row.reason for row in quarantined_rows(session, source="council_tax_reduction")}
    assert reasons[1] == "record identifier 'C1' appears more than once"
    assert reasons[2].startswith("record identifier 'C1' appears more than once; date '31 Feb 1980'")


def test_a_header_too_long_to_be_one_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "ctr.csv"
    path.write_text("claim_no," + "x" * 200_000 + "\nC1,Ann\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="header row could not be read"):
        read_extract(path)
