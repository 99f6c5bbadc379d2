from datetime import date

import pytest

from townhall.assistant.entities import (
    Address,
    extract_entities,
    find_account_references,
    find_addresses,
    find_bands,
    find_bin_streams,
    find_dates,
    find_request_references,
)

FRIDAY = date(2025, 11, 28)


def test_postcodes_come_from_the_gazetteer_parser_in_canonical_form() -> None:
    assert extract_entities("bins at zx12ab please", today=FRIDAY).postcodes == ("ZX1 2AB",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my bin at 12 high st was missed", (Address("12", "High Street"),)),
        ("flat 3 45 station road", (Address("45", "Station Road", flat="3"),)),
        ("no 7 Church Lane", (Address("7", "Church Lane"),)),
        ("14a Mill Rd, ZX1 2AB", (Address("14A", "Mill Road"),)),
        ("i have 2 bins on high street", ()),
        ("it has been 3 weeks", ()),
    ],
)
def test_addresses_have_house_number_and_expanded_street(text: str, expected: tuple[Address, ...]) -> None:
    assert find_addresses(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("any update on SR-00012345", ("SR-00012345",)),
        ("ref sr00012345 and Sr 00054321", ("SR-00012345", "SR-00054321")),
        ("SR-1234", ()),
        ("SR-123456789", ()),
    ],
)
def test_request_references_tolerate_case_and_missing_hyphen(text: str, expected: tuple[str, ...]) -> None:
    assert find_request_references(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my account is 51234567", ("51234567",)),
        ("account 51234567 or 59998888", ("51234567", "59998888")),
        ("call me on 0161 5123 4567", ()),
        ("my number is 01632 51234567", ()),
        ("41234567 starts with a 4", ()),
        ("512345678 is nine digits", ()),
        ("reference SR-51234567", ()),
    ],
)
def test_account_references_are_eight_digits_starting_with_five_and_not_phone_numbers(
    text: str, expected: tuple[str, ...]
) -> None:
    assert find_account_references(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is it the black bin this week", ("refuse",)),
        ("grey bin or blue bin?", ("refuse", "recycling")),
        ("my brown bin was missed", ("garden",)),
        ("green wheelie bin", ("garden",)),
        ("need a new food caddy", ("food",)),
        ("recycling wasn't collected", ("recycling",)),
        ("the green in the village is lovely", ()),
    ],
)
def test_bin_colours_resolve_to_streams(text: str, expected: tuple[str, ...]) -> None:
    assert find_bin_streams(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("band c", ("C",)),
        ("what band is D", ("D",)),
        ("is it band e or band f", ("E", "F")),
        ("what band is d?", ("D",)),
        ("the band is a problem", ()),
        ("what band am i in", ()),
    ],
)
def test_band_letters(text: str, expected: tuple[str, ...]) -> None:
    assert find_bands(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", date(2025, 11, 29)),
        ("today", FRIDAY),
        ("yesterday", date(2025, 11, 27)),
        ("next tuesday", date(2025, 12, 2)),
        ("on tuesday", date(2025, 12, 2)),
        ("next friday", date(2025, 12, 5)),
        ("last monday", date(2025, 11, 24)),
        ("on the 3rd", date(2025, 12, 3)),
        ("on the 27th", date(2025, 11, 27)),
        ("3/12", date(2025, 12, 3)),
        ("3/12/2026", date(2026, 12, 3)),
        ("3 December", date(2025, 12, 3)),
        ("December 3rd", date(2025, 12, 3)),
        ("the 21st of november", date(2025, 11, 21)),
        ("2 jan", date(2026, 1, 2)),
    ],
)
def test_dates_resolve_relative_to_the_given_today(text: str, expected: date) -> None:
    assert find_dates(text, today=FRIDAY) == (expected,)


def test_impossible_dates_are_ignored() -> None:
    assert find_dates("31/2 and 45/13", today=FRIDAY) == ()


def test_one_message_gives_every_kind_of_entity() -> None:
    found = extract_entities(
        "black bin missed at 12 high st ZX1 2AB on tuesday, ref SR-00012345, account 51234567, band c",
        today=FRIDAY,
    )
    assert found.addresses == (Address("12", "High Street"),)
    assert found.postcodes == ("ZX1 2AB",)
    assert found.bin_streams == ("refuse",)
    assert found.request_references == ("SR-00012345",)
    assert found.account_references == ("51234567",)
    assert found.council_tax_bands == ("C",)
    assert found.dates == (date(2025, 12, 2),)
