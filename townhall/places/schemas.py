"""What the gazetteer's API and pages give out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class AddressSummary(BaseModel):
    """One line of an address picker."""

    model_config = ConfigDict(from_attributes=True)

    uprn: int
    address: str
    postcode: str
    ward: str


class PropertyDetail(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uprn: int
    usrn: int
    address: str
    sub_building_name: str | None
    building_name: str | None
    building_number: str | None
    street: str
    locality: str | None
    town: str
    postcode: str
    ward_code: str
    ward: str
    latitude: float
    longitude: float
    property_type: str
    council_tax_band: str | None
