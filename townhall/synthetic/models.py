"""The synthetic council's ground truth: the people who really live there and what happened to them.

These tables exist only in a synthetic world. They are the answer key that evaluations (record linkage,
early help) compare against; no pipeline that is being evaluated may read them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from townhall.db import Base


class SyntheticBuild(Base):
    """One run of `townhall synth`: the seed and size that reproduce it."""

    __tablename__ = "synthetic_builds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seed: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    parts: Mapped[str] = mapped_column(Text)  # comma-separated part names, in build order


class SyntheticPerson(Base):
    __tablename__ = "synthetic_people"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(60))
    middle_name: Mapped[str | None] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    birth_last_name: Mapped[str] = mapped_column(String(60))
    sex: Mapped[str] = mapped_column(String(1))
    date_of_birth: Mapped[date] = mapped_column(Date)
    date_of_death: Mapped[date | None] = mapped_column(Date)


class SyntheticHousehold(Base):
    __tablename__ = "synthetic_households"

    household_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(30))


class SyntheticResidence(Base):
    """A person living at a property as part of a household, from one date until another (or now)."""

    __tablename__ = "synthetic_residences"
    __table_args__ = (
        Index("ix_synthetic_residences_person_id", "person_id"),
        Index("ix_synthetic_residences_uprn", "uprn"),
        Index("ix_synthetic_residences_household_id", "household_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("synthetic_people.person_id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("synthetic_households.household_id"))
    uprn: Mapped[int] = mapped_column(ForeignKey("properties.uprn"))
    role: Mapped[str] = mapped_column(String(10))  # adult or child
    moved_in: Mapped[date] = mapped_column(Date)
    moved_out: Mapped[date | None] = mapped_column(Date)


class SyntheticLifeEvent(Base):
    """Births, deaths and moves, so later modules can see change over time."""

    __tablename__ = "synthetic_life_events"
    __table_args__ = (Index("ix_synthetic_life_events_person_id", "person_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("synthetic_people.person_id"))
    kind: Mapped[str] = mapped_column(String(20))  # born, died, moved_in, moved_out, arrived, left
    on_date: Mapped[date] = mapped_column(Date)
    uprn: Mapped[int | None] = mapped_column(BigInteger)
