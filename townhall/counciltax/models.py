"""Council tax tables: parishes, each precepting body's Band D amount by year, accounts with their liable
people, discounts and exemptions, bills with their instalments, and payments. Money is in whole pence."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from townhall.db import Base


class Parish(Base):
    """A parish or town council, precepting on the properties of the ward it covers."""

    __tablename__ = "ct_parishes"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    ward_code: Mapped[str] = mapped_column(ForeignKey("wards.code"), unique=True)


class Precept(Base):
    """One precepting body's Band D amount for the financial year starting 1 April `financial_year`."""

    __tablename__ = "ct_precepts"
    __table_args__ = (UniqueConstraint("financial_year", "body"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    financial_year: Mapped[int] = mapped_column(Integer, index=True)
    body: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))  # a BodyKind value
    parish_name: Mapped[str | None] = mapped_column(ForeignKey("ct_parishes.name"))
    band_d_pence: Mapped[int] = mapped_column(Integer)


class Account(Base):
    """A council tax account: one liability for one property from `starts` until `ends` (inclusive, or open)."""

    __tablename__ = "ct_accounts"

    reference: Mapped[str] = mapped_column(String(8), primary_key=True)  # 8 digits beginning with 5
    uprn: Mapped[int] = mapped_column(ForeignKey("properties.uprn"), index=True)
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)
    instalment_months: Mapped[int] = mapped_column(SmallInteger, default=10)
    instalment_day: Mapped[int] = mapped_column(SmallInteger, default=1)


class LiablePerson(Base):
    __tablename__ = "ct_liable_people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_reference: Mapped[str] = mapped_column(ForeignKey("ct_accounts.reference"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)


class Discount(Base):
    """Who counted for discounts over a period: `adults` resident, `disregarded` of them (students, carers...).

    `kind` is "single_person" (one adult) or "disregard" (some adults disregarded); see billing.discount_for.
    """

    __tablename__ = "ct_discounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_reference: Mapped[str] = mapped_column(ForeignKey("ct_accounts.reference"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    adults: Mapped[int] = mapped_column(SmallInteger)
    disregarded: Mapped[int] = mapped_column(SmallInteger)
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)


class Exemption(Base):
    __tablename__ = "ct_exemptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_reference: Mapped[str] = mapped_column(ForeignKey("ct_accounts.reference"), index=True)
    exemption_class: Mapped[str] = mapped_column(String(1))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)


class Bill(Base):
    """A bill for one financial year; a later `version` (a revised bill) replaces the earlier ones."""

    __tablename__ = "ct_bills"

    account_reference: Mapped[str] = mapped_column(ForeignKey("ct_accounts.reference"), primary_key=True)
    financial_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    issued_on: Mapped[date] = mapped_column(Date)
    charge_pence: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(100))


class BillInstalment(Base):
    __tablename__ = "ct_instalments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["account_reference", "financial_year", "bill_version"],
            ["ct_bills.account_reference", "ct_bills.financial_year", "ct_bills.version"],
            name="fk_ct_instalments_bill",
        ),
    )

    account_reference: Mapped[str] = mapped_column(String(8), primary_key=True)
    financial_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    bill_version: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    number: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    due: Mapped[date] = mapped_column(Date)
    pence: Mapped[int] = mapped_column(Integer)
    settled: Mapped[bool] = mapped_column(Boolean, default=False)


class Payment(Base):
    __tablename__ = "ct_payments"
    __table_args__ = (Index("ix_ct_payments_account_received", "account_reference", "received"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_reference: Mapped[str] = mapped_column(ForeignKey("ct_accounts.reference"))
    financial_year: Mapped[int] = mapped_column(Integer)  # the year's bill it pays towards
    received: Mapped[date] = mapped_column(Date)
    pence: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))  # direct debit, card, bank transfer
