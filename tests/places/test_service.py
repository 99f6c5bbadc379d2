import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from townhall.places.models import Property
from townhall.places.service import addresses_at_postcode, property_by_uprn, search_addresses
from townhall.platform.errors import InvalidInput, NotFound


def test_addresses_at_a_postcode_come_in_natural_order(session: Session, sample_property: dict) -> None:
    typed = str(sample_property["postcode"]).lower().replace(" ", "")
    found = addresses_at_postcode(session, postcode=typed)
    assert sample_property["uprn"] in [a.uprn for a in found]
    assert all(a.postcode == sample_property["postcode"] for a in found)
    numbers = [int(a.address.split(" ")[0]) for a in found if a.address.split(" ")[0].isdigit()]
    assert numbers == sorted(numbers)


def test_an_unknown_postcode_has_no_addresses(session: Session) -> None:
    assert addresses_at_postcode(session, postcode="SW1A 1AA") == []


def test_an_invalid_postcode_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput, match="UK postcode"):
        addresses_at_postcode(session, postcode="not a postcode")


def test_property_by_uprn(session: Session, sample_property: dict) -> None:
    found = property_by_uprn(session, uprn=int(sample_property["uprn"]))
    assert found.address == sample_property["address"]
    assert found.council_tax_band in set("ABCDEFGH")


def test_unknown_uprn_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        property_by_uprn(session, uprn=999)


def _abbreviated(street: str) -> str:
    words = street.lower().split()
    short = {"road": "rd", "street": "st", "lane": "ln", "avenue": "ave", "close": "cl", "drive": "dr"}
    return " ".join([*words[:-1], short.get(words[-1], words[-1][:3])])


def test_search_tolerates_partial_and_abbreviated_input(session: Session, sample_property: dict) -> None:
    query = f"{sample_property['building_number']} {_abbreviated(str(sample_property['street_name']))}"
    found = search_addresses(session, query=query)
    assert found, query
    assert found[0].uprn == sample_property["uprn"] or sample_property["uprn"] in [a.uprn for a in found]
    assert all(a.address.startswith(f"{sample_property['building_number']} ") for a in found)


def test_search_by_word_prefixes(session: Session, sample_property: dict) -> None:
    stem = str(sample_property["street_name"]).split()[0][:4]
    found = search_addresses(session, query=stem, limit=50)
    assert found
    assert all(any(w.lower().startswith(stem.lower()) for w in a.address.replace(",", " ").split()) for a in found)


def test_search_with_a_postcode_narrows_to_it(session: Session, sample_property: dict) -> None:
    found = search_addresses(session, query=f"{sample_property['building_number']} {sample_property['postcode']}")
    assert [a.uprn for a in found] == [sample_property["uprn"]]


def test_house_numbers_match_whole(session: Session) -> None:
    found = search_addresses(session, query="1", limit=50)
    assert found
    assert all(" 1 " in f" {a.address.replace(',', ' ')} " for a in found)


def test_empty_search_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput, match="Enter part of an address"):
        search_addresses(session, query="  ,, ")


def test_search_finds_nothing_for_unknown_streets(session: Session) -> None:
    assert search_addresses(session, query="zzyzx boulevard") == []
    assert session.scalar(select(func.count()).select_from(Property)) == 1500
