"""Live answers for the assistant: addresses at a postcode, and a chosen address's bin days or council tax band.

Each returns reply parts; the dialogue keeps only UPRNs in a conversation's state, never the postcode.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from townhall.assistant.entities import find_addresses
from townhall.assistant.replies import Option, ReplyPart, part
from townhall.bins.service import OUTLOOK_WEEKS, BinNetwork, bin_day_outlook, load_network
from townhall.bins.wording import day_and_date, describe_when
from townhall.counciltax.billing import FinancialYear
from townhall.counciltax.service import charge_years, charges_by_band, property_charge
from townhall.places.models import Property
from townhall.places.postcodes import find_postcodes
from townhall.places.schemas import AddressSummary
from townhall.places.service import addresses_at_postcode, search_addresses
from townhall.platform.cache import TTLCache
from townhall.platform.errors import NotFound

# Streams, rounds and schedule changes, reloaded at most once a minute per worker (as the bins API does): loading
# them is most of a bin-day answer's cost.
_networks: TTLCache[str, BinNetwork] = TTLCache(max_entries=8, ttl_seconds=60.0)
_NUMBER_CHOICE = re.compile(r"^\s*(?:no\.?|number|option)?\s*(\d{1,4}[a-z]?)\s*\.?\s*$", re.I)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5}
_ORDINAL_CHOICE = re.compile(rf"^\s*(?:the\s+)?({'|'.join(_ORDINALS)}|last)(?:\s+one)?[\s.!]*$", re.I)
ADDRESS_QUESTION = "Which address? Reply with its number or type the address."


def address_options(session: Session, *, postcode: str) -> tuple[list[int], list[ReplyPart]]:
    """The addresses at `postcode` as numbered options, with their UPRNs in the same order."""
    found = addresses_at_postcode(session, postcode=postcode)
    if not found:
        return [], [part("I could not find any addresses at that postcode in the council's area. Check it and "
                         "type it again.")]  # fmt: skip
    options: list[Option] = [{"value": str(n), "label": a.address} for n, a in enumerate(found, start=1)]
    return [a.uprn for a in found], [part(ADDRESS_QUESTION, options)]


def named_addresses(session: Session, *, text: str) -> list[AddressSummary] | None:
    """The council's addresses a message names by house number and street ("I live at 1 George Close"), narrowed
    to its postcode when it has one. None when the message names no address; empty when none of them is here."""
    named = find_addresses(text)
    if not named:
        return None
    postcodes = find_postcodes(text)
    found: dict[int, AddressSummary] = {}
    for address in named:
        query = f"{address} {postcodes[0]}" if postcodes else str(address)
        for summary in search_addresses(session, query=query):
            found.setdefault(summary.uprn, summary)
    return list(found.values())


def named_address_options(addresses: list[AddressSummary]) -> tuple[list[int], list[ReplyPart]]:
    """Several addresses matching what a resident typed, as numbered options (the same street in two places)."""
    options: list[Option] = [
        {"value": str(n), "label": f"{a.address}, {a.postcode}"} for n, a in enumerate(addresses, start=1)
    ]
    return [a.uprn for a in addresses], [part(ADDRESS_QUESTION, options)]


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def chosen_uprn(session: Session, *, uprns: list[int], text: str) -> int | None:
    """The address a resident picked from `uprns` by its number or its text; None when it is not clear."""
    ordinal = _ORDINAL_CHOICE.match(text)
    if ordinal:
        word = ordinal.group(1).lower()
        index = len(uprns) if word == "last" else _ORDINALS[word]
        return uprns[index - 1] if 1 <= index <= len(uprns) else None
    number = _NUMBER_CHOICE.match(text)
    if number:
        chosen = number.group(1)
        if chosen.isdigit() and 1 <= int(chosen) <= len(uprns):
            return uprns[int(chosen) - 1]  # a number on the list: no address needs reading
        # Not a number on the list: residents often type their house number instead ("33" for 33 Lark Lane)
        houses = [row.uprn for row in _offered(session, uprns) if _words(row.address).startswith(f"{chosen.lower()} ")]
        return int(houses[0]) if len(houses) == 1 else None
    typed = _words(text)
    if len(typed) < 3:
        return None
    rows = _offered(session, uprns)
    exact = [row.uprn for row in rows if _words(row.address) == typed]
    if exact:
        return int(exact[0])
    starting = [row.uprn for row in rows if _words(row.address).startswith(typed + " ")]
    return int(starting[0]) if len(starting) == 1 else None


def _offered(session: Session, uprns: list[int]) -> Sequence[Row[int, str]]:
    """The offered addresses (UPRN and address), read only when a reply is not simply a number on the list."""
    return session.execute(select(Property.uprn, Property.address).where(Property.uprn.in_(uprns))).all()


def _network(session: Session) -> BinNetwork:
    key = str(session.get_bind().engine.url)
    found = _networks.get(key)
    if found is None:
        found = load_network(session)
        _networks.put(key, found)
    return found


def bin_days(session: Session, *, uprn: int, today: date) -> list[ReplyPart]:
    """The next collection of each stream at a property, in words: "Recycling: Thursday 3 December, in 5 days"."""
    try:
        outlook = bin_day_outlook(session, uprn=uprn, today=today, network=_network(session))
    except NotFound:
        return [part("I could not find that address's collections. Try the bin day page at /bin-day.")]
    lines = []
    for stream in outlook.streams:
        day = stream.next_collection.date if stream.next_collection else None
        if day is None:
            lines.append(f"{stream.stream.name}: {_none_due(stream.stream.code.value)}")
        elif (day - today).days <= 1:
            lines.append(f"{stream.stream.name}: {describe_when(day, today)}, {day_and_date(day, today=today)}")
        else:
            lines.append(f"{stream.stream.name}: {describe_when(day, today)}")
    parts = [part(f"The next collections at {outlook.address}:\n" + "\n".join(lines))]
    if outlook.changes:
        parts.append(part("Some collections in the coming weeks are on a different day from usual."))
    parts.append(part(f"All the dates, and a calendar you can subscribe to, are at /bin-day/{uprn}."))
    return parts


def _none_due(stream_code: str) -> str:
    # as the bin day page says it: with no garden waste round, the address does not pay for the service
    if stream_code == "garden":
        return "not collected here (garden waste is a paid service this address does not subscribe to)"
    return f"no collection due in the next {OUTLOOK_WEEKS} weeks"


def _charge_year(session: Session, today: date) -> int:
    """This financial year when its charges are set, else the latest year that has them."""
    current = FinancialYear.containing(today).starts
    years = charge_years(session)
    return current if current in years or not years else years[-1]


def band_charge(session: Session, *, band: str, today: date) -> list[ReplyPart]:
    """A band's charge this year where no parish council adds its own: "How much is band D?" needs no address."""
    charges = charges_by_band(session, year=_charge_year(session, today), band=band)
    charge = charges.bands[0]
    return [
        part(
            f"Band {charge.band} is {charge.total} for {charges.label}, before any discount or reduction, where no "
            "parish or town council adds its own charge. For the charge at a home, with its parish's part, tell me "
            "its postcode. All the bands are at /council-tax/band."
        )
    ]


def council_tax_band(session: Session, *, uprn: int, today: date) -> list[ReplyPart]:
    """A property's band and this financial year's charge (before any discount)."""
    charge = property_charge(session, uprn=uprn, year=_charge_year(session, today))
    if charge.band is None or charge.charge is None:
        text = f"{charge.address} has no council tax band. It may not be a home, or it may be exempt."
    else:
        text = (
            f"{charge.address} is in council tax band {charge.band}. The charge for {charge.label} is "
            f"{charge.charge.total} for the year, before any discount or reduction."
        )
    return [part(text), part(f"How the charge is made up is at /council-tax/band/{uprn}.")]
