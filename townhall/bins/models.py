"""Bin collection tables: waste streams, rounds, which rounds serve each property, garden waste subscriptions
and the changes the council records (Christmas and New Year, bad weather, strikes)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from townhall.db import Base


class BinStream(Base):
    """What is collected: refuse, recycling, garden or food, with its container and what goes in it."""

    __tablename__ = "bin_streams"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))  # "Recycling"
    colour: Mapped[str] = mapped_column(String(60))  # "blue bin"
    accepts: Mapped[str] = mapped_column(Text)


class BinRound(Base):
    """One crew collecting one stream on one weekday every 1, 2 or 4 weeks, in phase with `reference_date`."""

    __tablename__ = "bin_rounds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    stream_code: Mapped[str] = mapped_column(ForeignKey("bin_streams.code"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 Monday ... 6 Sunday
    frequency_weeks: Mapped[int] = mapped_column(SmallInteger)
    reference_date: Mapped[date] = mapped_column(Date)


class PropertyBinRound(Base):
    """A round that serves a property. A garden round collects only while the property subscribes."""

    __tablename__ = "property_bin_rounds"
    __table_args__ = (Index("ix_property_bin_rounds_round_id", "round_id"),)

    uprn: Mapped[int] = mapped_column(
        ForeignKey("properties.uprn", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    round_id: Mapped[str] = mapped_column(ForeignKey("bin_rounds.id"), primary_key=True)


class GardenSubscription(Base):
    """A paid garden waste subscription: collections from `starts` to `ends` inclusive (open when None)."""

    __tablename__ = "garden_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uprn: Mapped[int] = mapped_column(ForeignKey("properties.uprn", ondelete="CASCADE"), index=True)
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)
    bins: Mapped[int] = mapped_column(SmallInteger, default=1)


class BinScheduleChange(Base):
    """A change the council recorded: one round's (or every round's, when `round_id` is None) collection on
    `original_date` moves to `new_date`, or is cancelled when `new_date` is None."""

    __tablename__ = "bin_schedule_changes"
    __table_args__ = (Index("ix_bin_schedule_changes_original_date", "original_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[str | None] = mapped_column(ForeignKey("bin_rounds.id"))
    original_date: Mapped[date] = mapped_column(Date)
    new_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(60))  # a ChangeReason value
