"""Where a request is, as the public may see it: the exact spot for problems on public land, the street for homes.

A missed bin or a noise complaint is reported at someone's home; publishing that address (or coordinates that
point at the house) would tell anyone who complained about whom. Services flagged `location_is_private` are
published with the street and town only, and coordinates rounded to 3 decimal places (about 110 m north-south,
70 m east-west here), enough to see the area and too coarse to pick out a house.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.places.models import Property
from townhall.service_requests.models import ServiceRequest

PRIVATE_PLACES = 3


@dataclass(frozen=True, slots=True)
class PublicLocation:
    address: str | None
    address_id: str | None  # the UPRN, only when the location is public
    latitude: float
    longitude: float


def public_location(
    *,
    private: bool,
    address: str,
    uprn: int | None,
    latitude: float,
    longitude: float,
    street_name: str | None,
    town: str | None,
) -> PublicLocation:
    """The location to publish; `street_name` and `town` are those of the request's property, if it has one."""
    if not private:
        return PublicLocation(address or None, str(uprn) if uprn else None, latitude, longitude)
    street = ", ".join(part for part in (street_name, town) if part) or None
    return PublicLocation(street, None, round(latitude, PRIVATE_PLACES), round(longitude, PRIVATE_PLACES))


def public_location_of(session: Session, request: ServiceRequest) -> PublicLocation:
    """`public_location` for one request read as an object (the track page)."""
    street = None
    if request.uprn is not None:
        street = session.execute(
            select(Property.street_name, Property.town).where(Property.uprn == request.uprn)
        ).one_or_none()
    return public_location(
        private=request.service.location_is_private,
        address=request.address,
        uprn=request.uprn,
        latitude=request.latitude,
        longitude=request.longitude,
        street_name=street.street_name if street else None,
        town=street.town if street else None,
    )
