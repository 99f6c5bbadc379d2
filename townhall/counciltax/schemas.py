"""What the council tax API and pages give out. Money is in pence, with a formatted amount alongside."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from townhall.counciltax.payments import PaymentKind


class ChargePart(BaseModel):
    body: str
    kind: str
    pence: int
    amount: str  # "£1,650.00"


class BandChargeOut(BaseModel):
    band: str
    total_pence: int
    total: str
    parts: list[ChargePart]


class ChargesOut(BaseModel):
    year: int  # the financial year starting 1 April `year`
    label: str  # "2026/27"
    parish: str | None
    bands: list[BandChargeOut]


class PropertyCharge(BaseModel):
    uprn: int
    address: str
    postcode: str
    band: str | None
    year: int
    label: str
    parish: str | None
    charge: BandChargeOut | None  # None when the property is not banded


class InstalmentOut(BaseModel):
    due: date
    pence: int
    amount: str
    settled: bool = False  # a revised bill's opening entry for what was already paid


class PaymentOut(BaseModel):
    """Money in, or money going back to the resident (negative `pence`): a refund, or a payment returned."""

    received: date
    pence: int  # negative: money going back
    amount: str  # "£112.50", "-£50.00"
    method: str  # as the revenues system names it: "direct debit", "card", "refund", "direct debit return"...
    kind: PaymentKind  # "payment", "refund" (of a credit) or "returned" (a direct debit returned, a chargeback)
    description: str  # in plain English: "Direct debit", "Refund to you", "Direct debit returned"


class AccountSummary(BaseModel):
    """A council tax account on a day: this year's charge and how it is being paid."""

    reference: str
    uprn: int
    address: str
    band: str | None
    liable_people: list[str]
    starts: date
    ends: date | None
    year: int
    label: str
    annual_charge_pence: int  # the full year's charge for the band, before discounts and part-year
    charge_pence: int  # what is billed for the year (latest bill)
    bill_issued_on: date
    discounts: list[str]  # in plain English, with dates
    exemptions: list[str]
    instalments: list[InstalmentOut]
    payments: list[PaymentOut]
    paid_pence: int  # received, less what went back (refunds and returned payments)
    refunded_pence: int  # refunds of a credit to the resident this year
    returned_pence: int  # payments that came back this year (direct debits returned, card chargebacks)
    balance_pence: int  # negative: in credit
    overdue_pence: int
    next_instalment: InstalmentOut | None
    earlier_years_balance_pence: int  # arrears (or credit) from earlier years' bills
