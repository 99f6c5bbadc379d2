import pytest

from townhall.places.postcodes import InvalidPostcode, find_postcodes, normalise_postcode, parse_postcode


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("sw1a 1aa", "SW1A 1AA"),
        ("SW1A1AA", "SW1A 1AA"),
        ("  ec1a   1bb ", "EC1A 1BB"),
        ("w1a0ax", "W1A 0AX"),
        ("M1 1AE", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("dn55\t1pt", "DN55 1PT"),
        ("zx1 2ab", "ZX1 2AB"),
        ("gir 0aa", "GIR 0AA"),
    ],
)
def test_any_spacing_or_case_gives_the_canonical_form(typed: str, canonical: str) -> None:
    assert normalise_postcode(typed) == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "12345",
        "SW1A",
        "SW1A 1AAA",
        "QX1 2AB",  # Q never starts a postcode
        "AJ1 2AB",  # J is never the second letter
        "AB1 2CI",  # C and I are never unit letters
        "A1 AAA",
        "ZX1-2AB",
        "<script>",
    ],
)
def test_malformed_postcodes_are_rejected_with_a_reason(typed: str) -> None:
    with pytest.raises(InvalidPostcode) as raised:
        parse_postcode(typed)
    assert "postcode" in str(raised.value).lower()


def test_parts_of_a_postcode() -> None:
    postcode = parse_postcode("zx12 3ab")
    assert (postcode.area, postcode.outward, postcode.inward, postcode.sector) == (
        "ZX",
        "ZX12",
        "3AB",
        "ZX12 3",
    )


def test_postcodes_are_found_inside_free_text() -> None:
    assert find_postcodes("i live at zx1 2ab, or was it sw1a1aa? not 12345") == ["ZX1 2AB", "SW1A 1AA"]
