"""The data hub's tables: ingested records and their quarantine, linkage runs, lasting person ids, households,
merge/split events and officers' decisions.

Record keys are ``"<source>:<source record id>"``: the same key in every run, so person ids, decisions and
match evidence can refer to a record across re-ingests.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column

from townhall.datahub.contracts import FIELD_LENGTHS
from townhall.db import Base


class IngestBatch(Base):
    """One extract file loaded for one source. The newest batch of a source holds its records."""

    __tablename__ = "datahub_ingest_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(60), index=True)
    file_name: Mapped[str] = mapped_column(String(300))
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_loaded: Mapped[int] = mapped_column(Integer)
    rows_quarantined: Mapped[int] = mapped_column(Integer)
    uprns_matched: Mapped[dict[str, int]] = mapped_column(JSON)  # match method -> records
    # The contract the extract was ingested under (owner, lawful basis, purposes, ...), as it was then
    contract: Mapped[dict[str, Any]] = mapped_column(JSON)


def key_of_source(column: ColumnElement[str] | InstrumentedAttribute[str], source: str) -> ColumnElement[bool]:
    """Whether a record key (``source:source_record_id``) in ``column`` is one of ``source``'s, including keys of
    records an earlier extract held. Source names hold underscores, which LIKE would take for any character."""
    escaped = source.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"{escaped}:%", escape="\\")


class DatahubRecord(Base):
    """One standardised person record from a source's latest extract."""

    __tablename__ = "datahub_records"

    record_key: Mapped[str] = mapped_column(String(140), primary_key=True)
    source: Mapped[str] = mapped_column(String(60), index=True)
    source_record_id: Mapped[str] = mapped_column(String(FIELD_LENGTHS["source_record_id"]))
    first_name: Mapped[str | None] = mapped_column(String(FIELD_LENGTHS["first_name"]))
    middle_name: Mapped[str | None] = mapped_column(String(FIELD_LENGTHS["middle_name"]))
    last_name: Mapped[str | None] = mapped_column(String(FIELD_LENGTHS["last_name"]))
    first_name_canonical: Mapped[str | None] = mapped_column(String(80))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    address: Mapped[str | None] = mapped_column(String(FIELD_LENGTHS["address"]))
    postcode: Mapped[str | None] = mapped_column(String(8))
    uprn: Mapped[int | None] = mapped_column(BigInteger)
    uprn_match: Mapped[str] = mapped_column(String(12))  # source | exact | fuzzy | none
    address_is_home: Mapped[str] = mapped_column(String(1))  # Y, or N where the address is e.g. an incident's
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    # No index on uprn: no query reads by it, and it cost seconds per million-record ingest. No batch: a source's
    # records all belong to its newest batch (``ingest.latest_batches``). Migration 0013.


class QuarantinedRow(Base):
    """A row of an extract that could not be trusted, kept as it arrived with the reason."""

    __tablename__ = "datahub_quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("datahub_ingest_batches.id"), index=True)
    source: Mapped[str] = mapped_column(String(60), index=True)
    row_number: Mapped[int] = mapped_column(Integer)  # 1 = the first data row of the file
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)


class LinkageRun(Base):
    """One `townhall datahub link`: its parameters, the trained model and what it found."""

    __tablename__ = "datahub_linkage_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    engine: Mapped[str] = mapped_column(String(20))
    threshold: Mapped[float] = mapped_column(Float)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    model: Mapped[dict[str, Any]] = mapped_column(JSON)
    issued_up_to: Mapped[int] = mapped_column(Integer)  # highest person id number ever issued


class PersonRecord(Base):
    """Which lasting person each record belongs to, as of the latest run."""

    __tablename__ = "datahub_person_records"
    # No run id here, in datahub_people or in datahub_matches: a run replaces all their rows, so every row is
    # the latest run's (migration 0013)

    record_key: Mapped[str] = mapped_column(String(140), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(20), index=True)


class LinkedPerson(Base):
    """A person found by the latest run, with the household (people sharing a current UPRN) they live in."""

    __tablename__ = "datahub_people"

    person_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)
    uprn: Mapped[int | None] = mapped_column(BigInteger)
    household_id: Mapped[str | None] = mapped_column(String(20), index=True)


class MatchEvidence(Base):
    """A matched pair of records in the latest run and how strongly the model believed it (for explanations)."""

    __tablename__ = "datahub_matches"
    __table_args__ = (Index("ix_datahub_matches_record_r", "record_r"),)

    record_l: Mapped[str] = mapped_column(String(140), primary_key=True)
    record_r: Mapped[str] = mapped_column(String(140), primary_key=True)
    match_weight: Mapped[float] = mapped_column(Float)
    match_probability: Mapped[float] = mapped_column(Float)


class LinkageEvent(Base):
    """A merge or split of lasting person ids, for a person to review."""

    __tablename__ = "datahub_linkage_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("datahub_linkage_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # merge | split
    person_id: Mapped[str] = mapped_column(String(20))
    others: Mapped[list[str]] = mapped_column(JSON)  # merged_from, or split into


class OfficerDecision(Base):
    """An officer's ruling that two records are, or are not, the same person; the next run respects it."""

    __tablename__ = "datahub_officer_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_a: Mapped[str] = mapped_column(String(140), index=True)
    record_b: Mapped[str] = mapped_column(String(140), index=True)
    same_person: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
