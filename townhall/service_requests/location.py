"""Where a problem is: a UPRN from the gazetteer, or a point inside the council's area, with its ward.

The council's area is the gazetteer's bounding box plus a margin (about a kilometre), cached per process for a
few minutes: it changes only when the gazetteer is imported again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from townhall.places.models import Property
from townhall.platform.cache import TTLCache

AREA_MARGIN_DEGREES = 0.01
NEAREST_SEARCH_DEGREES = 0.003  # about 330 m north-south: the nearest address to a point, for its ward
EARTH_RADIUS_METRES = 6_371_000.0
_areas: TTLCache[str, CouncilArea] = TTLCache(max_entries=8, ttl_seconds=300)


@dataclass(frozen=True, slots=True)
class CouncilArea:
    south: float
    north: float
    west: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


@dataclass(frozen=True, slots=True)
class Place:
    latitude: float
    longitude: float
    address: str
    uprn: int | None
    ward_code: str | None


def council_area(session: Session) -> CouncilArea | None:
    """The gazetteer's bounding box plus a margin; None when the gazetteer is empty."""
    key = str(session.get_bind().engine.url)
    cached = _areas.get(key)
    if cached is not None:
        return cached
    row = session.execute(
        select(
            func.min(Property.latitude),
            func.max(Property.latitude),
            func.min(Property.longitude),
            func.max(Property.longitude),
        )
    ).one()
    if row[0] is None:
        return None
    margin = AREA_MARGIN_DEGREES
    area = CouncilArea(row[0] - margin, row[1] + margin, row[2] - margin, row[3] + margin)
    _areas.put(key, area)
    return area


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): exact enough at any scale a council covers."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(a))


def place_of_property(session: Session, uprn: int) -> Place | None:
    found = session.get(Property, uprn)
    if found is None:
        return None
    return Place(found.latitude, found.longitude, found.address, found.uprn, found.ward_code)


@dataclass(frozen=True, slots=True)
class Nearest:
    """The property nearest a point: its street and town (for words) and ward."""

    street_name: str
    town: str
    ward_code: str | None


Point = tuple[float, float]

# Every point's nearest property in one statement (PostgreSQL): the same search and order as `place_at`, run
# for each row of the arrays by a LATERAL join, so a batch of creates costs one round trip instead of one each.
# Exactly the box search's answer, in two index probes instead of reading every property in the box (about three
# hundred per point in a town). First, the nearest property by PostgreSQL's nearest-neighbour search over
# `ix_properties_nearest` (migration 0012: longitude at a fixed scale, so only roughly nearest; the expression must
# stay identical to the index's). If it lies in the search box, its exact distance d bounds the answer's, and the
# answer lies within d of the point: the box shrinks to that (a few metres in a town, plus 1e-9 degrees so that
# rounding cannot shut out the first property itself) before the exact ranking.
# Otherwise the whole box is searched, as before. A test compares the answers with the one-point box search.
NEAREST_INDEX_LONGITUDE_SCALE = 0.62  # as in migration 0012's index; the point searched for is scaled the same way
NEAREST_INDEX_EXPRESSION = f"point(longitude * {NEAREST_INDEX_LONGITUDE_SCALE}, latitude)"
_NEAREST_MANY = text(f"""
SELECT point.n, near.street_name, near.town, near.ward_code
FROM unnest(CAST(:lats AS float8[]), CAST(:lons AS float8[]), CAST(:scales AS float8[]))
     WITH ORDINALITY AS point(lat, lon, scale, n)
LEFT JOIN LATERAL (
    SELECT abs(latitude - point.lat) <= :box AND abs(longitude - point.lon) <= 2 * :box AS inside,
           sqrt((latitude - point.lat) * (latitude - point.lat)
                + point.scale * (longitude - point.lon) * (longitude - point.lon)) AS distance
    FROM properties
    ORDER BY {NEAREST_INDEX_EXPRESSION} <-> point(point.lon * {NEAREST_INDEX_LONGITUDE_SCALE}, point.lat)
    LIMIT 1
) AS first ON true
CROSS JOIN LATERAL (
    SELECT CASE WHEN first.inside THEN least(:box, first.distance + 1e-9) ELSE :box END AS lat_half,
           CASE WHEN first.inside THEN least(2 * :box, first.distance / sqrt(point.scale) + 1e-9)
                ELSE 2 * :box END AS lon_half
) AS box
LEFT JOIN LATERAL (
    SELECT street_name, town, ward_code FROM properties
    WHERE latitude BETWEEN point.lat - box.lat_half AND point.lat + box.lat_half
      AND longitude BETWEEN point.lon - box.lon_half AND point.lon + box.lon_half
    ORDER BY (latitude - point.lat) * (latitude - point.lat)
             + point.scale * (longitude - point.lon) * (longitude - point.lon)
    LIMIT 1
) AS near ON true
""")  # noqa: S608 - the interpolated expression is a constant of this module


def _scale(latitude: float) -> float:
    """Longitude degrees shrink with the cosine of the latitude: the factor for squared distances."""
    return math.cos(math.radians(latitude)) ** 2


def nearest_properties(session: Session, points: Sequence[Point]) -> dict[Point, Nearest | None]:
    """The nearest property to each point (None when there is none within the search box), for `place_at`."""
    wanted = list(dict.fromkeys(points))
    if not wanted:
        return {}
    if session.get_bind().dialect.name != "postgresql":
        return {point: _nearest(session, *point) for point in wanted}
    found: dict[Point, Nearest | None] = dict.fromkeys(wanted)
    parameters = {"lats": [p[0] for p in wanted], "lons": [p[1] for p in wanted],
                  "scales": [_scale(p[0]) for p in wanted], "box": NEAREST_SEARCH_DEGREES}  # fmt: skip
    for n, street_name, town, ward_code in session.execute(_NEAREST_MANY, parameters):
        if street_name is not None:
            found[wanted[n - 1]] = Nearest(street_name, town, ward_code)
    return found


def _nearest(session: Session, latitude: float, longitude: float) -> Nearest | None:
    """The database picks the nearest by an equirectangular distance (exact enough within a few hundred metres,
    where longitude degrees are scaled by the cosine of the latitude) and returns that one row."""
    box = NEAREST_SEARCH_DEGREES
    scale = _scale(latitude)
    squared = (Property.latitude - latitude) * (Property.latitude - latitude) + scale * (
        Property.longitude - longitude
    ) * (Property.longitude - longitude)
    row = session.execute(
        select(Property.street_name, Property.town, Property.ward_code)
        .where(Property.latitude.between(latitude - box, latitude + box))
        .where(Property.longitude.between(longitude - 2 * box, longitude + 2 * box))
        .order_by(squared)
        .limit(1)
    ).one_or_none()
    return None if row is None else Nearest(row.street_name, row.town, row.ward_code)


def place_at(
    session: Session,
    latitude: float,
    longitude: float,
    address: str = "",
    *,
    known: Mapping[Point, Nearest | None] | None = None,
) -> Place:
    """A point, with the ward (and, when no address was given, the words) of the nearest property.

    `known` holds nearest properties already looked up (`nearest_properties`, for a batch); others are looked up.
    """
    point = (latitude, longitude)
    nearest = known[point] if known is not None and point in known else _nearest(session, latitude, longitude)
    if nearest is None:
        return Place(latitude, longitude, address, None, None)
    words = address or f"Near {nearest.street_name}, {nearest.town}"
    return Place(latitude, longitude, words, None, nearest.ward_code)
