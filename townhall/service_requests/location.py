"""Where a problem is: a UPRN from the gazetteer, or a point inside the council's area, with its ward.

The council's area is the gazetteer's bounding box plus a margin (about a kilometre), cached per process for a
few minutes: it changes only when the gazetteer is imported again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select
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


def place_at(session: Session, latitude: float, longitude: float, address: str = "") -> Place:
    """A point, with the ward (and, when no address was given, the words) of the nearest property.

    The database picks the nearest by an equirectangular distance (exact enough within a few hundred metres,
    where longitude degrees are scaled by the cosine of the latitude) and returns that one row.
    """
    box = NEAREST_SEARCH_DEGREES
    scale = math.cos(math.radians(latitude)) ** 2
    squared = (Property.latitude - latitude) * (Property.latitude - latitude) + scale * (
        Property.longitude - longitude
    ) * (Property.longitude - longitude)
    nearest = session.execute(
        select(Property.street_name, Property.town, Property.ward_code)
        .where(Property.latitude.between(latitude - box, latitude + box))
        .where(Property.longitude.between(longitude - 2 * box, longitude + 2 * box))
        .order_by(squared)
        .limit(1)
    ).one_or_none()
    if nearest is None:
        return Place(latitude, longitude, address, None, None)
    words = address or f"Near {nearest.street_name}, {nearest.town}"
    return Place(latitude, longitude, words, None, nearest.ward_code)
