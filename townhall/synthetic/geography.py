"""The synthetic gazetteer: wards, streets and properties with postcodes, coordinates, types and bands.

Realism that later modules rely on: postcodes group 15 to 20 neighbouring addresses (and short streets share a
postcode with the next), bands follow England's distribution and go with the type of home and the ward,
flats share a building, and every address is unique.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from townhall.places.addresses import AddressParts, address_terms, single_line_address
from townhall.places.models import AddressTerm, Property, Street, Ward
from townhall.synthetic.council import World, Writer

COUNCIL_CENTRE = (52.24, -0.89)  # an inland English shire district
POSTCODE_AREA = "ZX"  # a well-formed area that Royal Mail does not use, so no address is real
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
FIRST_UPRN = 100_090_000_001
FIRST_USRN = 39_000_001

# England, Council Tax: stock of properties, 2024 (VOA): share of dwellings in bands A to H.
ENGLAND_BAND_SHARES = {
    "A": 0.240,
    "B": 0.196,
    "C": 0.218,
    "D": 0.155,
    "E": 0.097,
    "F": 0.051,
    "G": 0.037,
    "H": 0.006,
}

TOWNS = ("Wexmoor", "Eastbrook", "Hollinford", "Ashcombe", "Brackenley", "Thornby")
VILLAGES = (
    "Little Wexmoor", "Upper Hollin", "Kingsford", "Marston Green", "Oakley End", "Fenwick", "Coldharbour",
    "Ashby Parva", "Netherfield", "Shepton Cross", "Willowby", "Stoke Abbas",
)  # fmt: skip
WARD_NAMES = (
    "Abbey", "Castle", "Riverside", "Northgate", "Southfields", "St Michael's", "Westbrook", "Priory",
    "Meadowbank", "Hill Top", "Mill Green", "Orchard", "Brookside", "Elmhurst", "Fairfield", "Greenacres",
    "Kingsway", "Lakeside", "Market", "Newtown", "Oakwood", "Park", "Queensbury", "Rectory", "Stanway",
    "Tollgate", "Upton", "Victoria", "Woodlands", "Ashgrove", "Beacon", "Chapel End", "Deanery", "Eastfield",
    "Forest", "Goldcrest", "Hawthorn", "Ivy Bank", "Jubilee", "Kestrel", "Lowfield", "Moorside", "Nettleham",
    "Old Town", "Pinfold", "Quarry", "Ridgeway", "Sandhill", "Thistle", "Underwood", "Vale", "Wharf",
    "Yew Tree", "Bramley", "Coppice", "Dovecote", "Foxhill", "Glebe", "Harcourt", "Linden",
)  # fmt: skip
STREET_STEMS = (
    "Church", "Station", "Mill", "Park", "Victoria", "Queen's", "King's", "Manor", "School", "Chapel", "Elm",
    "Oak", "Ash", "Beech", "Willow", "Cedar", "Holly", "Rowan", "Birch", "Maple", "Orchard", "Meadow",
    "Brook", "Bridge", "Castle", "Abbey", "Priory", "Grange", "Farm", "Windmill", "Water", "Spring", "Well",
    "Hill", "Green", "Market", "North", "South", "East", "West", "High", "New", "Old", "Albert", "Alexandra",
    "George", "Edward", "Princess", "Nelson", "Wellington", "Churchill", "Milton", "Shakespeare", "Tennyson",
    "Wordsworth", "Byron", "Darwin", "Newton", "Cromwell", "Tudor", "Stuart", "Windsor", "York", "Lancaster",
    "Warwick", "Oxford", "Cambridge", "London", "Bath", "Bristol", "Chester", "Richmond", "Kingsley",
    "Fairview", "Highfield", "Mayfield", "Springfield", "Broadway", "Hawthorn", "Laburnum", "Lilac",
    "Primrose", "Bluebell", "Foxglove", "Heather", "Lavender", "Jubilee", "Coronation", "Festival",
    "St John's", "St Mary's", "St Peter's", "St Andrew's", "Kestrel", "Swallow", "Heron", "Kingfisher",
    "Lark", "Robin", "Wren", "Badger", "Otter", "Furlong", "Glebe", "Pound", "Tannery", "Forge", "Brewery",
    "Foundry", "Wharf", "Canal", "Railway", "Cemetery", "Quarry", "Pinfold", "Butts", "Stocks", "Vicarage",
    "Rectory", "Dairy", "Orchid", "Poplar",
)  # fmt: skip
STREET_KINDS = (
    "Road", "Street", "Lane", "Close", "Avenue", "Drive", "Way", "Crescent", "Gardens", "Grove", "Place",
    "Court", "Mews", "Terrace", "Rise", "Walk", "View", "Green", "Row", "Hill",
)  # fmt: skip
HOUSE_NAMES = (
    "Rose Cottage", "The Old Rectory", "Ivy House", "Orchard House", "The Laurels", "Hillcrest", "Woodside",
    "The Willows", "Meadow View", "Holly Lodge", "The Barn", "Old School House", "Fern Cottage", "The Elms",
    "Brook House", "Stable Cottage", "Wisteria House", "Oak Lodge", "Greystones", "Mill Cottage",
)  # fmt: skip
BLOCK_SUFFIXES = ("Court", "House", "Lodge", "Point", "Heights", "Place")

# Styles of street and the homes they hold.
STREET_STYLES = ("terraced", "semi", "detached", "flats", "bungalow")
STREET_STYLE_SHARES = (0.31, 0.30, 0.15, 0.15, 0.09)
TYPE_VALUE = {"flat": 0.0, "terraced": 0.6, "bungalow": 1.3, "semi-detached": 1.2, "detached": 2.4}
STYLE_TO_TYPE = {
    "terraced": "terraced",
    "semi": "semi-detached",
    "detached": "detached",
    "bungalow": "bungalow",
}

METRES_PER_DEGREE = 111_320.0


@dataclass
class Geography:
    """The gazetteer in memory, one array entry per property, for the parts built after it."""

    ward_codes: list[str]
    ward_names: list[str]
    uprn: np.ndarray
    ward_index: np.ndarray
    property_type: list[str]
    band: list[str]
    postcode: list[str]
    address: list[str]
    latitude: np.ndarray
    longitude: np.ndarray

    def __len__(self) -> int:
        return len(self.uprn)


@dataclass
class _StreetPlan:
    usrn: int
    name: str
    ward: int
    style: str
    length: int
    locality: str | None
    town: str


def ward_count(size: int) -> int:
    """About 2,000 homes a ward, as in an English district, between 3 and the names we have."""
    return max(3, min(len(WARD_NAMES), round(size / 2000)))


def _ward_places(n_wards: int, rng: np.random.Generator) -> list[tuple[str, str | None]]:
    """(town, village or None) for each ward: most wards are in the main town, the rest rural."""
    places: list[tuple[str, str | None]] = []
    for index in range(n_wards):
        if index < max(1, int(n_wards * 0.55)):
            places.append((TOWNS[0], None))
        else:
            town = TOWNS[1 + index % (len(TOWNS) - 1)]
            village = VILLAGES[int(rng.integers(len(VILLAGES)))] if index % 3 == 0 else None
            places.append((town, village))
    return places


def _plan_streets(size: int, n_wards: int, rng: np.random.Generator) -> list[_StreetPlan]:
    places = _ward_places(n_wards, rng)
    per_ward = size / n_wards
    used_names: set[tuple[str, str]] = set()
    streets: list[_StreetPlan] = []
    total = 0
    while total < size:
        ward = min(n_wards - 1, int(total / per_ward))
        style = STREET_STYLES[int(rng.choice(len(STREET_STYLES), p=STREET_STYLE_SHARES))]
        length = int(np.clip(rng.lognormal(3.3 if style != "flats" else 3.8, 0.6), 3, 160))
        length = min(length, size - total)
        town, village = places[ward]
        name = _unique_street_name(rng, town if village is None else village, used_names)
        streets.append(_StreetPlan(FIRST_USRN + len(streets), name, ward, style, length, village, town))
        total += length
    return streets


def _unique_street_name(rng: np.random.Generator, place: str, used: set[tuple[str, str]]) -> str:
    for _attempt in range(50):
        name = (
            f"{STREET_STEMS[int(rng.integers(len(STREET_STEMS)))]} {STREET_KINDS[int(rng.integers(len(STREET_KINDS)))]}"
        )
        if (place, name) not in used:
            used.add((place, name))
            return name
    # A very large council runs out of plain names: number them as new developments do.
    suffix = 2
    while (place, f"{name} {suffix}") in used:
        suffix += 1
    used.add((place, f"{name} {suffix}"))
    return f"{name} {suffix}"


def _homes_on(street: _StreetPlan, rng: np.random.Generator) -> list[tuple[str | None, str | None, str | None, str]]:
    """(sub-building, building name, number, type) for each home on a street."""
    homes: list[tuple[str | None, str | None, str | None, str]] = []
    if street.style == "flats":
        number = 1
        while len(homes) < street.length:
            block = f"{street.name.split(' ')[0]} {BLOCK_SUFFIXES[int(rng.integers(len(BLOCK_SUFFIXES)))]}"
            for flat in range(1, int(rng.integers(6, 25)) + 1):
                homes.append((f"Flat {flat}", block, str(number), "flat"))
            number += 1
        return homes[: street.length]
    kind = STYLE_TO_TYPE[street.style]
    named_share = 0.12 if street.style in ("detached", "bungalow") else 0.0
    names_used: set[str] = set()
    for index in range(street.length):
        name = HOUSE_NAMES[int(rng.integers(len(HOUSE_NAMES)))] if rng.random() < named_share else None
        if name is not None and name not in names_used:
            names_used.add(name)  # a name is unique on its street, as Royal Mail requires
            homes.append((None, name, None, kind))
        else:
            homes.append((None, None, str(index + 1), kind))
    return homes


class _PostcodeUnits:
    """Hands out postcodes in runs of 15 to 20 neighbouring homes, district by ward."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.ward = -1
        self.unit = 0
        self.left = 0
        self.current = ""

    def next_for(self, ward: int) -> str:
        if ward != self.ward:
            self.ward, self.unit, self.left = ward, 0, 0
        if self.left == 0:
            sector, position = divmod(self.unit, len(UNIT_LETTERS) ** 2)
            first, second = divmod(position, len(UNIT_LETTERS))
            self.current = f"{POSTCODE_AREA}{ward + 1} {sector % 10}{UNIT_LETTERS[first]}{UNIT_LETTERS[second]}"
            self.unit += 1
            self.left = int(self.rng.integers(15, 21))
        self.left -= 1
        return self.current


def _assign_bands(types: list[str], ward_index: np.ndarray, n_wards: int, rng: np.random.Generator) -> list[str]:
    """Bands by rank of a notional value (type, ward affluence, noise), so the shares match England's."""
    affluence = rng.normal(0, 0.6, n_wards)
    value = np.array([TYPE_VALUE[t] for t in types]) + affluence[ward_index] + rng.normal(0, 0.7, len(types))
    order = np.argsort(value, kind="stable")
    cut_points = np.cumsum([0, *ENGLAND_BAND_SHARES.values()]) * len(types)
    bands = np.empty(len(types), dtype="<U1")
    for index, letter in enumerate(ENGLAND_BAND_SHARES):
        bands[order[round(cut_points[index]) : round(cut_points[index + 1])]] = letter
    return bands.tolist()


class GeographyPart:
    name = "geography"
    requires: tuple[str, ...] = ()

    def build(self, world: World, writer: Writer, rng: np.random.Generator) -> None:
        size = world.spec.size
        n_wards = ward_count(size)
        ward_codes = [f"W{index + 1:02d}" for index in range(n_wards)]
        ward_names = list(WARD_NAMES[:n_wards])
        writer.insert(Ward, ("code", "name"), zip(ward_codes, ward_names, strict=True))
        streets = _plan_streets(size, n_wards, rng)
        writer.insert(
            Street,
            ("usrn", "name", "locality", "town"),
            ((s.usrn, s.name, s.locality, s.town) for s in streets),
        )
        rows, geography = self._lay_out(streets, ward_codes, ward_names, rng, writer)
        writer.insert(Property, _PROPERTY_COLUMNS, rows)
        writer.insert(
            AddressTerm,
            ("term", "uprn"),
            (
                (term, uprn)
                for uprn, address, postcode in zip(
                    geography.uprn.tolist(), geography.address, geography.postcode, strict=True
                )
                for term in sorted(address_terms(address, postcode))
            ),
        )
        world.built[self.name] = geography

    def _lay_out(
        self,
        streets: list[_StreetPlan],
        ward_codes: list[str],
        ward_names: list[str],
        rng: np.random.Generator,
        writer: Writer,
    ) -> tuple[list[tuple[Any, ...]], Geography]:
        n_wards = len(ward_codes)
        ward_centres = _ward_centres(n_wards)
        postcodes = _PostcodeUnits(rng)
        rows: list[list[Any]] = []
        types: list[str] = []
        for street in streets:
            centre_lat, centre_lon = ward_centres[street.ward]
            start = _offset(centre_lat, centre_lon, rng.normal(0, 600), rng.normal(0, 600))
            heading = rng.uniform(0, 2 * math.pi)
            for index, (sub, building, number, kind) in enumerate(_homes_on(street, rng)):
                step = 12.0 * (index // 24 if kind == "flat" else index)  # flats in one block share a spot
                lat, lon = _offset(start[0], start[1], step * math.cos(heading), step * math.sin(heading))
                parts = AddressParts(sub, building, number, street.name, street.locality, street.town)
                rows.append(
                    [FIRST_UPRN + len(rows), street.usrn, sub, building, number, street.name, street.locality,
                     street.town, postcodes.next_for(street.ward), ward_codes[street.ward], round(lat, 6),
                     round(lon, 6), kind, None, single_line_address(parts)]
                )  # fmt: skip
                types.append(kind)
            writer.report("properties", len(rows), 0)
        ward_index = np.array([int(r[9][1:]) - 1 for r in rows], dtype=np.int32)
        bands = _assign_bands(types, ward_index, n_wards, rng)
        for row, band in zip(rows, bands, strict=True):
            row[13] = band
        geography = Geography(
            ward_codes=ward_codes,
            ward_names=ward_names,
            uprn=np.array([r[0] for r in rows], dtype=np.int64),
            ward_index=ward_index,
            property_type=types,
            band=bands,
            postcode=[r[8] for r in rows],
            address=[r[14] for r in rows],
            latitude=np.array([r[10] for r in rows]),
            longitude=np.array([r[11] for r in rows]),
        )
        return [tuple(r) for r in rows], geography


_PROPERTY_COLUMNS = (
    "uprn", "usrn", "sub_building_name", "building_name", "building_number", "street_name", "locality", "town",
    "postcode", "ward_code", "latitude", "longitude", "property_type", "council_tax_band", "address",
)  # fmt: skip


def _ward_centres(n_wards: int) -> list[tuple[float, float]]:
    """Wards on a grid about 2.5 km apart around the council's centre."""
    side = math.ceil(math.sqrt(n_wards))
    centres = []
    for index in range(n_wards):
        row, column = divmod(index, side)
        centres.append(_offset(*COUNCIL_CENTRE, (row - side / 2) * 2500, (column - side / 2) * 2500))
    return centres


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (
        lat + north_m / METRES_PER_DEGREE,
        lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))),
    )


GEOGRAPHY = GeographyPart()
