"""What the data hub's views return: the minimum a member of staff needs for the purpose they gave."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class ServiceInvolvement(BaseModel):
    """One service's involvement with a household: who to contact there, not the service's records."""

    source: str
    owning_service: str
    lead_contact: str
    since: date | None  # earliest date the service records for anyone in the household, if it records one
    people: list[str]  # lasting person ids of the household members the service knows
    # The day (UK) the service's latest extract was ingested: what is shown is only as current as that
    information_as_of: date
    # That extract is older than the source's contract expects (``extract_every_days``): it may no longer be true
    out_of_date: bool = False


class HouseholdView(BaseModel):
    household_id: str
    uprn: int | None
    address: str | None = None  # the gazetteer's address of the UPRN; None where the gazetteer does not hold it
    purpose: str
    people: list[str]
    services: list[ServiceInvolvement]


class LinkedRecord(BaseModel):
    record_key: str
    source: str
    owning_service: str
    source_record_id: str
    first_name: str | None
    last_name: str | None
    date_of_birth: date | None
    postcode: str | None
    uprn: int | None
    uprn_match: str
    information_as_of: date  # the UK day its source's latest extract was ingested
    out_of_date: bool = False  # that extract is older than the source's contract expects


class MatchReason(BaseModel):
    """Why two of the person's records were linked: the model's match weight and probability."""

    record_a: str
    record_b: str
    match_weight: float
    match_probability: float


class DecisionSummary(BaseModel):
    record_a: str
    record_b: str
    same_person: bool
    reason: str
    decided_by: str
    decided_at: datetime


class PersonView(BaseModel):
    person_id: str
    household_id: str | None
    purpose: str
    records: list[LinkedRecord]
    matches: list[MatchReason]
    decisions: list[DecisionSummary]  # only those whose records both come from sources the purpose allows


class QuarantineEntry(BaseModel):
    source: str
    batch_id: int
    row_number: int
    reason: str
    raw: dict[str, str | int | float | bool | None]


class QuarantineSource(BaseModel):
    """One source's quarantined rows: how many, and the extract they came from (the latest with any)."""

    source: str
    rows: int
    batch_id: int
    file_name: str
    ingested_at: datetime


class QuarantinePage(BaseModel):
    """A page of quarantined rows (newest extract first), and how many there are in all."""

    source: str | None
    total: int
    offset: int
    entries: list[QuarantineEntry]
