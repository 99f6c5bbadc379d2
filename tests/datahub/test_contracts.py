from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from townhall.datahub.contracts import (
    PERSON_COLUMNS,
    ContractError,
    ExtractError,
    check_extract_columns,
    load_contracts,
    out_of_date,
    parse_contract,
    standardise_extract,
)
from townhall.datahub.extracts import SOURCES, generate_extracts
from townhall.datahub.people import make_people

TODAY = date(2025, 4, 1)
MINIMAL = """
name = "library_loans"
owning_service = "Libraries"
purposes = ["Keep one record per resident"]
retention = "2 years"
contact = "libraries@council.example"
[lawful_basis]
article_6 = "public_task"
article_6_detail = "Public Libraries and Museums Act 1964"
[columns]
source_id = "id"
first_name = "first"
last_name = "last"
"""


def test_the_six_bundled_contracts_load():
    assert sorted(load_contracts()) == sorted(SOURCES)


def test_special_category_source_states_its_article_9_condition():
    contract = load_contracts()["childrens_social_care"]
    assert contract.special_category
    assert "9(2)" in contract.lawful_basis.article_9_condition


def test_a_contract_without_lawful_basis_fails_with_a_clear_message():
    basis = MINIMAL[MINIMAL.index("[lawful_basis]") : MINIMAL.index("[columns]")]
    text = MINIMAL.replace(basis, "")
    with pytest.raises(ContractError, match="lawful_basis"):
        parse_contract(text, origin="library.toml")


def test_a_contract_without_purposes_fails():
    with pytest.raises(ContractError, match="purposes"):
        parse_contract(MINIMAL.replace('purposes = ["Keep one record per resident"]', "purposes = []"))


def test_special_category_without_article_9_condition_fails():
    with pytest.raises(ContractError, match="article_9_condition"):
        parse_contract(MINIMAL.replace('retention = "2 years"', 'retention = "2 years"\nspecial_category = true'))


def test_load_contracts_reads_a_directory(tmp_path: Path):
    (tmp_path / "library.toml").write_text(MINIMAL)
    assert list(load_contracts(tmp_path)) == ["library_loans"]


@pytest.fixture(scope="module")
def extracts():
    return generate_extracts(make_people(3000, seed=5), np.random.default_rng(6))


@pytest.mark.parametrize("source", SOURCES)
def test_every_synthetic_extract_standardises_to_the_common_record(extracts, source):
    contract = load_contracts()[source]
    clean, quarantine = standardise_extract(contract, extracts.extracts[source], today=TODAY)
    assert list(clean.columns[: len(PERSON_COLUMNS)]) == list(PERSON_COLUMNS)
    assert len(clean) + len(quarantine) == len(extracts.extracts[source])
    assert clean["last_name"].notna().mean() > 0.95
    assert clean["date_of_birth"].dropna().str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert clean["unique_id"].is_unique


def test_bad_rows_are_quarantined_with_reasons():
    contract = load_contracts()["council_tax_reduction"]
    raw = pd.DataFrame(
        {
            "claim_no": ["1", "2", "3", "4"],
            "first_name": ["Ann", "Bob", "Cat", "Dan"],
            "last_name": ["Ash", "Birch", "Cole", "Dee"],
            "dob": ["3 Mar 1984", "31 Feb 1990", "1 Jan 2099", "2 Feb 1980"],
            "sex": ["F", "M", "F", "M"],
            "addr": ["1 High St"] * 4,
            "post_code": ["ZX1 2AB", "ZX1 2AB", "ZX1 2AB", "not a postcode"],
            "weekly_award": [1.0, 2.0, 3.0, 4.0],
        }
    )
    clean, quarantine = standardise_extract(contract, raw, today=TODAY)
    assert list(clean["source_record_id"]) == ["1"]
    reasons = dict(zip(quarantine["claim_no"], quarantine["reason"], strict=True))
    assert "31 Feb 1990" in reasons["2"]
    assert "future" in reasons["3"]
    assert "postcode" in reasons["4"]


def test_columns_that_do_not_match_the_contract_are_named_before_any_work(extracts):
    contract = load_contracts()["council_tax"]
    raw = extracts.extracts["council_tax"].rename(columns={"DOB": "DATE_OF_BIRTH"})
    with pytest.raises(ExtractError, match=r"missing columns \['DOB'\], unexpected columns \['DATE_OF_BIRTH'\]"):
        standardise_extract(contract, raw, today=TODAY)


def test_an_empty_extract_is_an_error_not_everyone_leaving(extracts):
    contract = load_contracts()["council_tax"]
    with pytest.raises(ExtractError, match="no rows"):
        standardise_extract(contract, extracts.extracts["council_tax"].iloc[0:0], today=TODAY)


def test_surname_comma_forename_names_are_split():
    contract = load_contracts()["antisocial_behaviour"]
    raw = pd.DataFrame(
        {
            "incident_ref": ["A1"],
            "subject_name": ["SMITH-JONES, Mary Anne"],
            "subject_dob": ["03.04.1990"],
            "location_address": ["1 High Street"],
            "location_postcode": ["zx1 2ab"],
            "incident_date": ["2024-01-01"],
            "category": ["noise"],
        }
    )
    clean, _ = standardise_extract(contract, raw, today=TODAY)
    row = clean.iloc[0]
    assert (row.first_name, row.middle_name, row.last_name) == ("MARY", "ANNE", "SMITH JONES")
    assert (row.date_of_birth, row.postcode) == ("1990-04-03", "ZX1 2AB")


def test_a_contract_with_an_unknown_encoding_does_not_load() -> None:
    text = resources.files("townhall.datahub").joinpath("sources/council_tax.toml").read_text(encoding="utf-8")
    with pytest.raises(ContractError, match="not a text encoding"):
        parse_contract(text.replace('contact = "', 'encoding = "klingon"\ncontact = "', 1), origin="council_tax.toml")
    assert parse_contract(text.replace('contact = "', 'encoding = "Windows-1252"\ncontact = "', 1)).encoding == "cp1252"


def test_a_source_is_out_of_date_when_its_latest_extract_is_older_than_its_contract_expects() -> None:
    text = resources.files("townhall.datahub").joinpath("sources/council_tax.toml").read_text(encoding="utf-8")
    weekly = parse_contract(text)
    assert weekly.extract_every_days == 7
    today = date(2026, 11, 29)
    assert not out_of_date(weekly, date(2026, 11, 22), today)  # seven days old: as expected
    assert out_of_date(weekly, date(2026, 11, 21), today)
    unset = parse_contract(text.replace("extract_every_days = 7", ""))
    assert unset.extract_every_days is None and not out_of_date(unset, date(2020, 1, 1), today)
    with pytest.raises(ContractError, match="extract_every_days"):
        parse_contract(text.replace("extract_every_days = 7", "extract_every_days = 0"), origin="council_tax.toml")


def test_a_contract_may_accept_several_date_of_birth_formats():
    text = resources.files("townhall.datahub").joinpath("sources/council_tax.toml").read_text(encoding="utf-8")
    contract = parse_contract(text.replace('"%d/%m/%Y"', '["%d/%m/%Y", "%Y-%m-%d"]', 1))
    assert contract.columns.date_of_birth_format == ["%d/%m/%Y", "%Y-%m-%d"]
    raw = pd.DataFrame(
        {
            "ACCOUNT_REF": ["A1", "A2"],
            "FORENAME": ["Ann", "Bo"],
            "SURNAME": ["Lee", "Li"],
            "DOB": ["03/04/1990", "1991-05-06"],
            "PROPERTY_UPRN": ["1", "2"],
            "ADDRESS_LINE": ["1 High St", "2 High St"],
            "POSTCODE": ["ZX1 1AB", "ZX1 1AB"],
            "BAND": ["A", "B"],
            "LIABILITY_START": ["01/01/2020", "01/01/2021"],
        }
    )
    clean, quarantine = standardise_extract(contract, raw, today=TODAY)
    assert list(clean["date_of_birth"]) == ["1990-04-03", "1991-05-06"] and quarantine.empty
    with pytest.raises(ContractError, match="date_of_birth_format"):
        parse_contract(text.replace('"%d/%m/%Y"', "[]", 1))


def test_a_file_without_its_header_row_is_refused_without_repeating_its_first_record() -> None:
    contract = load_contracts()["council_tax_reduction"]
    raw = pd.DataFrame(columns=["C1", "Ann", "Lee", "3 Mar 1984", "F", "1 High St", "ZX1 1AB", "3"])
    with pytest.raises(ExtractError, match="first row is not its header") as refused:
        check_extract_columns(contract, raw)
    assert "Ann" not in str(refused.value) and "ZX1 1AB" not in str(refused.value)


def test_unexpected_column_names_that_hold_records_are_counted_not_shown() -> None:
    contract = load_contracts()["council_tax_reduction"]
    swallowed = 'dob\nC1,Ann,Lee,"3 Mar 1984'  # a header's unclosed quote runs on into the rows
    columns = [c if c != "dob" else swallowed for c in contract.columns.source_columns()] + ["NOTES"]
    with pytest.raises(ExtractError) as refused:
        check_extract_columns(contract, pd.DataFrame(columns=columns))
    message = str(refused.value)
    assert "unexpected columns ['NOTES'] and 1 more not shown" in message and "Ann" not in message
