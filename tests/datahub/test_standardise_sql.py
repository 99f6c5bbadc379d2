"""The SQL versions of the standardising rules (``standardise_sql``) give exactly what ``standardise.py``'s
scalar rules give, value by value and extract by extract, quarantine reasons included."""

from datetime import date
from itertools import cycle, islice

import pandas as pd
import pytest

from townhall.datahub import standardise
from townhall.datahub.contracts import load_contracts, standardise_extract

TODAY = date(2025, 4, 1)

NAMES = [
    " Siân  O'Brien-Smyth ", "Mrs. Zoë   MacDonald", "smith-jones", "O’Neil", "d`Arcy", "Anne-Marie", "Mary Ann",
    "J.R.R. Tolkien", "Dr. Who", "mr", "MR MRS", "jr", "sr.", "Bob", "liz", "CHRIS", "JOSÉ", "Łukasz", "Straße",
    "Æthelred", "ﬁona", "Ｊｏｈｎ", "tab\tname", "new\nline", "x\x1fy", "123", "a1b2", "  ", "", "-", "--", "'",
    "NULL", "null ", "None", "nan", "N/A", "na", "UNKNOWN", " unknown ", "a  b", "smith, john", "  lee  ",
    "ALL CAPS", "Mc'Donald-O'Hara", "van der Berg", "~!@#", None,
]  # fmt: skip
POSTCODES = [
    "zx1 2ab", "ZX12AB", " zx1  2ab ", "GIR 0AA", "gir0aa", "AB1", "ABCDEFGH", "QX1 2AB", "ZX1 2AC", "ZX1 2A",
    "ZX1-2AB", "zx1\t2ab", "ZX1 2AB\n", "ＺＸ1 2AB", "ZX1 2ÅB", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH",
    "CR2 6XH", "DN55 1PT", "zx1 2ab'", "'", "", " ", "n/a", "UNKNOWN", "12345", "ZZ99 9ZZ", "A1 1AA", "AA1A 1AA",
    "not a postcode", None,
]  # fmt: skip
ADDRESSES = [
    "Flat 3, 12a High St.", "st albans rd", "12 St Mary's Rd", "ST. John's Wood", "St", "Apt 4 Ave", "Café Row",
    "1 the   green", "  ", "--", "-", "N/A", "x\ty", "Flat B 7 N Upr Rd", "7 Wood Ln, Old Town", "NULL",
    "Ⅻ Crescent", "10 Downing St, London", "flat 2/3 CL", None,
]  # fmt: skip


def _python(values: pd.Series, rule):
    return [rule(value) for value in values]


@pytest.mark.parametrize("values", [NAMES, [*NAMES, 5, 3.5, float("nan")]], ids=["text", "mixed types"])
def test_name_column_gives_what_standardise_name_gives(values):
    column = pd.Series(values, dtype=object)
    assert list(standardise.name_column(column)) == _python(column, standardise.standardise_name)


@pytest.mark.parametrize("values", [POSTCODES, [*POSTCODES, 12345, float("nan")]], ids=["text", "mixed types"])
def test_postcode_column_gives_the_same_postcodes_and_reasons_as_standardise_postcode(values):
    column = pd.Series(values, dtype=object)
    postcodes, reasons = standardise.postcode_column(column)
    expected = _python(column, standardise.standardise_postcode)
    assert list(zip(postcodes, reasons, strict=True)) == expected


def test_address_column_gives_standardise_address_text():
    column = pd.Series(ADDRESSES, dtype=object)
    expected = [None if parsed is None else parsed.text for parsed in _python(column, standardise.standardise_address)]
    assert list(standardise.address_column(column)) == expected


def test_columns_keep_the_index_of_their_input():
    column = pd.Series(["Ann", None, "Zoë"], index=[7, 3, 5], dtype=object)
    assert standardise.name_column(column).to_dict() == {7: "ANN", 3: None, 5: "ZOE"}


def _python_columns(monkeypatch):
    """The column functions as they were before SQL: the scalar rule on each distinct value."""
    monkeypatch.setattr(standardise, "name_column", lambda v: standardise.map_distinct(v, standardise.standardise_name))
    monkeypatch.setattr(standardise, "address_column", lambda v: standardise.map_distinct(v, standardise._address_line))

    def postcodes(values):
        both = standardise.map_distinct(values, standardise.standardise_postcode)
        return both.map(lambda pair: pair[0]), both.map(lambda pair: pair[1])

    monkeypatch.setattr(standardise, "postcode_column", postcodes)


def _awkward_extract(contract, rows: int = 60) -> pd.DataFrame:
    """Every column the contract maps, filled with the awkward values above (cycled, so they mix)."""
    mapping = contract.columns
    dates = ["01/02/1980", "1980-02-01", "1 Feb 1980", "01.02.1980", "01-02-1980", "31/02/1990", "2099-01-01",
             "1 Jan 1850", "", "not a date", None]  # fmt: skip
    fill = {
        mapping.first_name: NAMES,
        mapping.last_name: NAMES[::-1],
        mapping.full_name: [*NAMES, "Smith, John", "O'Brien , Siân Mary", ", Ann", "Lee,", "Mr John Paul Smith"],
        mapping.date_of_birth: dates,
        mapping.sex: ["F", "M", "Female", "Male", "f", "", None, "X"],
        mapping.address: ADDRESSES,
        mapping.postcode: POSTCODES,
        mapping.uprn: ["100", "", "12.0", "abc", None],
    }
    raw = {}
    for column in mapping.source_columns():
        values = fill.get(column, ["some fact", "", None])
        raw[column] = list(islice(cycle(values), rows))
    raw[mapping.source_id] = [str(i) for i in range(rows)]
    return pd.DataFrame(raw)


@pytest.mark.parametrize("source", sorted(load_contracts()))
def test_every_contract_standardises_and_quarantines_as_the_python_rules_do(monkeypatch, source):
    contract = load_contracts()[source]
    raw = _awkward_extract(contract)
    clean, quarantine = standardise_extract(contract, raw, today=TODAY)
    with monkeypatch.context() as patched:
        _python_columns(patched)
        expected_clean, expected_quarantine = standardise_extract(contract, raw, today=TODAY)
    assert len(quarantine) > 0 and len(clean) > 0
    pd.testing.assert_frame_equal(clean, expected_clean)
    pd.testing.assert_frame_equal(quarantine, expected_quarantine)
