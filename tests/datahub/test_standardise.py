from datetime import date

import pandas as pd
import pytest

from townhall.datahub import standardise as s


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Siân  O'Brien-Smyth ", "SIAN OBRIEN SMYTH"),
        ("Mrs. Zoë   MacDonald", "ZOE MACDONALD"),
        ("smith-jones", "SMITH JONES"),
        ("  ", None),
        (None, None),
        ("NULL", None),
    ],
)
def test_standardise_name_normalises_case_accents_punctuation_and_titles(raw, expected):
    assert s.standardise_name(raw) == expected


@pytest.mark.parametrize(
    ("name", "sex", "formal"),
    [
        ("BOB", None, "ROBERT"),
        ("ROBBIE", "M", "ROBERT"),
        ("LIZ", "F", "ELIZABETH"),
        ("BETH", "F", "ELIZABETH"),
        ("JIM", "M", "JAMES"),
        ("PEGGY", "F", "MARGARET"),
        ("CHRIS", "F", "CHRISTINE"),
        ("CHRIS", "M", "CHRISTIAN"),
        ("ROBERT", "M", "ROBERT"),
        ("ZEBEDEE", None, "ZEBEDEE"),
    ],
)
def test_canonical_first_name_maps_nicknames_to_formal_names_using_sex(name, sex, formal):
    assert s.canonical_first_name(name, sex) == formal


def test_nickname_table_holds_a_few_hundred_british_forms():
    assert len(s.nickname_table()) >= 300


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("03/04/1984", "%d/%m/%Y", date(1984, 4, 3)),
        ("3 Mar 1984", "%d %b %Y", date(1984, 3, 3)),
        ("1984-03-03", None, date(1984, 3, 3)),
        ("03.03.1984", None, date(1984, 3, 3)),
        ("", None, None),
    ],
)
def test_parse_date_reads_several_formats(text, fmt, expected):
    parsed = s.parse_date(text, fmt)
    assert parsed.value == expected
    assert parsed.reason is None


def test_parse_date_gives_a_reason_for_text_that_is_not_a_date():
    parsed = s.parse_date("31/02/1990", "%d/%m/%Y")
    assert parsed.value is None
    assert "31/02/1990" in parsed.reason


def test_date_of_birth_problem_rejects_future_and_over_120_years():
    today = date(2025, 4, 1)
    assert "future" in s.date_of_birth_problem(date(2026, 1, 1), today=today)
    assert "120" in s.date_of_birth_problem(date(1890, 1, 1), today=today)
    assert s.date_of_birth_problem(date(1950, 1, 1), today=today) is None


def test_standardise_postcode_uses_the_places_rules():
    assert s.standardise_postcode(" zx12ab") == ("ZX1 2AB", None)
    assert s.standardise_postcode(None) == (None, None)
    value, reason = s.standardise_postcode("ZX1 2")
    assert value is None and reason


def test_standardise_address_expands_abbreviations_and_parses_flat_and_number():
    parsed = s.standardise_address("Flat 3, 12a High St.")
    assert parsed == s.ParsedAddress("FLAT 3 12A HIGH STREET", flat="3", number="12A")
    assert s.standardise_address("St Albans Rd").text == "SAINT ALBANS ROAD"
    assert s.standardise_address("") is None


@pytest.mark.parametrize(
    ("raw", "order", "expected"),
    [
        ("Mary Anne Smith", "first_last", ("MARY", "ANNE", "SMITH")),
        ("Dr Mary-Jane O'Neil", "first_last", ("MARY", "JANE", "ONEIL")),
        ("Cher", "first_last", ("CHER", None, None)),
        ("SMITH-JONES, Mary Anne Louise", "last_comma_first", ("MARY", "ANNE LOUISE", "SMITH JONES")),
        ("Smith", "last_comma_first", (None, None, "SMITH")),
        (", Mary", "last_comma_first", ("MARY", None, None)),
        ("  ", "first_last", (None, None, None)),
        (None, "last_comma_first", (None, None, None)),
    ],
)
def test_split_full_name_finds_first_middle_and_last_names(raw, order, expected):
    assert s.split_full_name(raw, order) == expected
    first, middle, last = s.full_name_columns(pd.Series([raw, raw, None], dtype=object), order)
    assert (first.iloc[1], middle.iloc[1], last.iloc[1]) == expected
    assert (first.iloc[2], middle.iloc[2], last.iloc[2]) == (None, None, None)


def test_column_functions_match_the_scalar_rules():
    names = pd.Series(["bob", "Bob", None, "Liz"])
    assert list(s.name_column(names)) == ["BOB", "BOB", None, "LIZ"]
    canonical = s.canonical_first_name_column(s.name_column(names), pd.Series(["M", "M", None, "F"]))
    assert list(canonical) == ["ROBERT", "ROBERT", None, "ELIZABETH"]
    dates, reasons = s.date_column(pd.Series(["01/02/2000", "bad", None]), "%d/%m/%Y")
    assert list(dates) == [date(2000, 2, 1), None, None]
    assert reasons.iloc[1] and reasons.iloc[0] is None


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%Y-%m-%d", "%d %b %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d", None])
def test_date_column_gives_what_parse_date_gives_for_every_value(fmt):
    texts = [
        date(1931, 7, 9).strftime(fmt or "%d/%m/%Y"), date(2020, 12, 31).strftime(fmt or "%Y-%m-%d"),
        " 3  Mar 1984 ", "31/02/2001", "2001-13-01", "1/2/1984", "01/01/1600", "1600-01-01", "12 mar 1990",
        "3 March 1984", "03/04/84", "20200102", "NULL", "", "nonsense",
    ]  # fmt: skip
    dates, reasons = s.date_column(pd.Series([*texts, None]), fmt)
    expected = [s.parse_date(text, fmt) for text in texts]
    assert list(dates[:-1]) == [parsed.value for parsed in expected]
    assert list(reasons[:-1]) == [parsed.reason for parsed in expected]
    assert dates.iloc[-1] is None and reasons.iloc[-1] is None


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%Y-%m-%d", "%d %b %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d", None])
def test_date_of_birth_column_gives_the_scalar_rules_for_every_value(fmt):
    today = date(2025, 4, 1)
    texts = [
        date(1931, 7, 9).strftime(fmt or "%d/%m/%Y"), date(2030, 1, 2).strftime(fmt or "%Y-%m-%d"),
        date(1890, 5, 6).strftime(fmt or "%d/%m/%Y"), " 3  Mar 1984 ", "31/02/2001", "2001-13-01", "12 mar 1990",
        "03/04/84", "20200102", "NULL", "", "nonsense", date(1931, 7, 9).strftime(fmt or "%d/%m/%Y"),
    ]  # fmt: skip
    isos, reasons = s.date_of_birth_column(pd.Series([*texts, None]), fmt, today=today)
    for text, iso, reason in zip(texts, isos, reasons, strict=False):
        parsed = s.parse_date(text, fmt)
        if parsed.value is None:
            assert (iso, reason) == (None, parsed.reason), text
        else:
            problem = s.date_of_birth_problem(parsed.value, today=today)
            assert (iso, reason) == (parsed.value.isoformat(), problem), text
    assert isos.iloc[-1] is None and reasons.iloc[-1] is None
    assert reasons.notna().sum() >= 2  # the future and the too-old dates at least


def test_several_date_formats_are_tried_in_order():
    formats = ["%d/%m/%Y", "%Y-%m-%d"]
    assert s.parse_date("03/04/1990", formats).value == date(1990, 4, 3)
    assert s.parse_date("1990-04-03", formats).value == date(1990, 4, 3)
    assert s.parse_date("3 Apr 1990", formats).reason == (
        "date '3 Apr 1990' is not in any of the formats %d/%m/%Y, %Y-%m-%d"
    )
    values = pd.Series(["03/04/1990", "1990-04-03", "31/02/1990", "2999-01-01", None])
    isos, reasons = s.date_of_birth_column(values, formats, today=date(2025, 4, 1))
    assert list(isos) == ["1990-04-03", "1990-04-03", None, "2999-01-01", None]
    assert reasons.iloc[2] == "date '31/02/1990' is not in any of the formats %d/%m/%Y, %Y-%m-%d"
    assert reasons.iloc[3] == "date of birth 2999-01-01 is in the future"
    assert reasons.iloc[0] is None and reasons.iloc[1] is None and reasons.iloc[4] is None


def test_iso_date_time_text_reads_as_its_date_when_no_format_is_given():
    assert s.parse_date("2011-02-08 00:00:00").value == date(2011, 2, 8)
    assert s.parse_date("2011-02-08T23:30:00+00:00").value == date(2011, 2, 8)
    assert s.parse_date("2011-02-08 00:00:00", "%Y-%m-%d").value is None  # a stated format is kept to


def test_a_date_fact_that_is_not_a_date_has_a_reason():
    values = pd.Series(["08/11/2021", "2018-08-25", "2011-02-08 00:00:00", None, "", "soon", "31/02/2020"])
    reasons = s.date_fact_problems(values, "liability start")
    assert list(reasons[:5]) == [None] * 5
    assert reasons.iloc[5] == "liability start: date 'soon' is not in a recognised date format"
    assert reasons.iloc[6].startswith("liability start: date '31/02/2020'")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Łukasz", "LUKASZ"), ("Żółć", "ZOLC"), ("Ævar", "AEVAR"), ("Øystein", "OYSTEIN"), ("Þóra", "THORA"),
     ("Dvořák", "DVORAK"), ("Na", "NA"), ("N/A", None)],
)  # fmt: skip
def test_letters_without_a_decomposition_are_spelt_in_english_and_na_is_a_name(raw: str, expected: str | None):
    assert s.standardise_name(raw) == expected


def test_a_full_name_whose_surname_is_na_keeps_it() -> None:
    assert s.split_full_name("Li Na") == ("LI", None, "NA")
