"""Gazetteer use cases: find addresses by postcode, by UPRN and by what a person types."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from townhall.places.addresses import ABBREVIATIONS, natural_sort_key, query_words
from townhall.places.models import AddressTerm, Property, Ward
from townhall.places.postcodes import InvalidPostcode, find_postcodes, normalise_postcode
from townhall.places.schemas import AddressSummary, PropertyDetail
from townhall.platform.errors import InvalidInput, NotFound

MAX_SEARCH_RESULTS = 50

_SUMMARY_COLUMNS = (
    Property.uprn,
    Property.address,
    Property.postcode,
    Ward.name.label("ward"),
    Property.building_number,
    Property.sub_building_name,
)


def _summaries(rows: list[object]) -> list[AddressSummary]:
    ordered = sorted(rows, key=lambda r: natural_sort_key(r.building_number, r.sub_building_name, r.address))  # type: ignore[attr-defined]
    return [AddressSummary(uprn=r.uprn, address=r.address, postcode=r.postcode, ward=r.ward) for r in ordered]  # type: ignore[attr-defined]


def addresses_at_postcode(session: Session, *, postcode: str) -> list[AddressSummary]:
    """Every address at a postcode, in the order a person expects (2 before 10). Empty if none."""
    try:
        canonical = normalise_postcode(postcode)
    except InvalidPostcode as error:
        raise InvalidInput(str(error)) from None
    rows = session.execute(
        select(*_SUMMARY_COLUMNS).join(Ward, Property.ward_code == Ward.code).where(Property.postcode == canonical)
    ).all()
    return _summaries(list(rows))


def property_by_uprn(session: Session, *, uprn: int) -> PropertyDetail:
    """One property; NotFound if the UPRN is not in the gazetteer."""
    found = session.get(Property, uprn)
    if found is None:
        raise NotFound(f"There is no property with UPRN {uprn} in the gazetteer")
    return PropertyDetail(
        uprn=found.uprn,
        usrn=found.usrn,
        address=found.address,
        sub_building_name=found.sub_building_name,
        building_name=found.building_name,
        building_number=found.building_number,
        street=found.street_name,
        locality=found.locality,
        town=found.town,
        postcode=found.postcode,
        ward_code=found.ward_code,
        ward=found.ward.name,
        latitude=found.latitude,
        longitude=found.longitude,
        property_type=found.property_type,
        council_tax_band=found.council_tax_band,
    )


def _next_prefix(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _term_matches(word: str) -> ColumnElement[bool]:
    """Numbers match whole ("12" is not "120"); words match as prefixes, and known abbreviations in full."""
    if word.isdigit():
        return AddressTerm.term == word
    prefix = and_(AddressTerm.term >= word, AddressTerm.term < _next_prefix(word))
    expansion = ABBREVIATIONS.get(word)
    return or_(prefix, AddressTerm.term == expansion) if expansion else prefix


def search_addresses(session: Session, *, query: str, limit: int = 20) -> list[AddressSummary]:
    """Addresses matching every word typed, as prefixes: "12 high st" finds "12 High Street".

    A postcode anywhere in the query narrows the search to it.
    """
    limit = max(1, min(limit, MAX_SEARCH_RESULTS))
    postcodes = find_postcodes(query)
    remaining = query
    for postcode in postcodes:
        remaining = remaining.upper().replace(postcode, " ").replace(postcode.replace(" ", ""), " ")
    words = query_words(remaining)
    if not words and not postcodes:
        raise InvalidInput("Enter part of an address, such as a house number and street, or a postcode")
    statement = select(*_SUMMARY_COLUMNS).join(Ward, Property.ward_code == Ward.code)
    if postcodes:
        statement = statement.where(Property.postcode.in_(postcodes))
    for word in words:
        statement = statement.where(Property.uprn.in_(select(AddressTerm.uprn).where(_term_matches(word))))
    statement = statement.order_by(
        Property.street_name,
        func.length(Property.building_number),
        Property.building_number,
        func.length(Property.sub_building_name),
        Property.sub_building_name,
    ).limit(limit)
    rows = session.execute(statement).all()
    return [AddressSummary(uprn=r.uprn, address=r.address, postcode=r.postcode, ward=r.ward) for r in rows]


def count_properties(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Property)) or 0
