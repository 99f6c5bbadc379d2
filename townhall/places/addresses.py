"""How an address is written and how it is found: one-line formatting, natural order and search terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+")
_LEADING_NUMBER = re.compile(r"^(\d+)")

# Abbreviations people type that are not prefixes of the word they mean ("rd" is not the start of "road").
ABBREVIATIONS = {
    "rd": "road",
    "ln": "lane",
    "sq": "square",
    "gdns": "gardens",
    "gdn": "gardens",
    "ct": "court",
    "crt": "court",
    "tce": "terrace",
    "terr": "terrace",
    "mt": "mount",
    "hse": "house",
    "cotts": "cottages",
    "pk": "park",
    "grn": "green",
    "wy": "way",
    "cl": "close",
    "av": "avenue",
    "ave": "avenue",
    "cres": "crescent",
    "dr": "drive",
    "st": "street",
}


@dataclass(frozen=True, slots=True)
class AddressParts:
    sub_building_name: str | None
    building_name: str | None
    building_number: str | None
    street_name: str
    locality: str | None
    town: str


def single_line_address(parts: AddressParts) -> str:
    """ "Flat 2, Mill House, 14 Mill Lane, Eastbrook, Wexmoor": the parts that exist, in the order Royal Mail uses."""
    first = " ".join(p for p in (parts.building_number, parts.street_name) if p)
    pieces = [parts.sub_building_name, parts.building_name, first, parts.locality, parts.town]
    return ", ".join(p for p in pieces if p)


def natural_sort_key(building_number: str | None, sub_building_name: str | None, address: str) -> tuple[object, ...]:
    """Order addresses as a person would: 2 before 10, Flat 2 before Flat 10."""

    def number_of(text: str | None) -> int:
        if not text:
            return 0
        match = _LEADING_NUMBER.match(text) or re.search(r"(\d+)", text)
        return int(match.group(1)) if match else 0

    return (number_of(building_number), building_number or "", number_of(sub_building_name), address)


def address_terms(address: str, postcode: str) -> set[str]:
    """The words and numbers under which a property is found, plus its postcode with and without the space."""
    terms = set(_WORD.findall(address.lower()))
    compact = postcode.replace(" ", "").lower()
    terms.add(compact)
    terms.add(postcode.split(" ")[0].lower())
    return {t[:40] for t in terms}


def query_words(query: str) -> list[str]:
    """The words of a search as typed, lower case, without punctuation: "12, High St." -> ["12", "high", "st"]."""
    return _WORD.findall(query.lower())[:8]
