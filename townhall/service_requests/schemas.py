"""The JSON API's input and output for service requests."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ServiceRequestIn(BaseModel):
    service_code: str = Field(max_length=40)
    description: str = Field(default="", max_length=4000)
    lat: float | None = None
    long: float | None = None
    address_id: int | None = Field(default=None, gt=0, lt=10**12, description="A UPRN")
    answers: dict[str, list[str]] = Field(default_factory=dict, description="Each question's code -> its values")
    email: str | None = Field(default=None, max_length=254)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)


class ServiceRequestOut(BaseModel):
    reference: str
    service_code: str
    status: str
    open311_status: str
    requested_at: datetime
    expected_at: datetime
