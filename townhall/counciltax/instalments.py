"""Instalment plans, payments, balances and the next instalment due.

The rules, as implemented:

- By default the year's charge is paid in 10 monthly instalments, April to January; on request in 12, April
  to March. Instalments fall on the chosen day of the month (the 1st by default; 1 to 28 so every month has
  it). Only months whose instalment day is at least 14 days after the bill is issued are used (the first
  instalment must give 14 days' notice); when none is left, the whole amount is one instalment due 14 days
  after the bill.
- The first instalment takes the odd pennies so that all the others are equal whole pence, and the
  instalments always add up exactly to the amount billed.
- When the charge changes mid-year, a revised bill keeps the payments already made and spreads the remaining
  balance (new charge - paid) over the plan's instalments still to come, with 14 days' notice again; the first
  of those takes the odd pennies. Arrears at that point are part of the balance, so they are spread too. The
  revised plan opens with a settled entry for what was paid, so it still adds up exactly to the new charge;
  if more was paid than the new charge, the excess is a credit on the account.
- Payments are set against instalments in date order. An instalment is overdue the day after its due date.
- Money going back is a negative payment: a refund of a credit, or a payment returned (a direct debit returned
  unpaid, a card chargeback). What was paid is the sum, so a returned direct debit leaves its instalment unpaid
  again (overdue, if its day has passed) and a refund of a credit brings the balance back towards nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from townhall.counciltax.billing import FinancialYear

NOTICE = timedelta(days=14)
_APRIL = 4


@dataclass(frozen=True, slots=True)
class InstalmentTerms:
    """How a person chose to pay: the number of monthly instalments (10 or 12) and the day of the month."""

    months: int = 10
    day_of_month: int = 1

    def __post_init__(self) -> None:
        if self.months not in (10, 12):
            raise ValueError("instalments are 10 (April to January) or 12 (April to March)")
        if not 1 <= self.day_of_month <= 28:
            raise ValueError("the instalment day must be between the 1st and the 28th")


@dataclass(frozen=True, slots=True)
class Instalment:
    """An amount due on a day. `settled` marks a revised plan's opening entry: what was already paid."""

    due: date
    pence: int
    settled: bool = False


@dataclass(frozen=True, slots=True)
class Payment:
    """Money in, or (negative) money going back to the resident: a refund, a returned payment."""

    received: date
    pence: int


@dataclass(frozen=True, slots=True)
class AccountPosition:
    """Where an account stands on a day. A negative balance is a credit owed to the resident.

    `next_instalment` is the next one due on or after that day that payments have not yet covered, with the
    amount still to pay on it.
    """

    charge_pence: int
    paid_pence: int
    balance_pence: int
    overdue_pence: int
    next_instalment: Instalment | None


def split_evenly(total_pence: int, count: int) -> list[int]:
    """`count` amounts adding up to `total_pence`: the first takes the odd pennies, the rest are equal."""
    if count < 1 or total_pence < 0:
        raise ValueError("need at least one instalment and an amount that is not negative")
    each, odd_pennies = divmod(total_pence, count)
    return [each + odd_pennies] + [each] * (count - 1)


def instalment_days(year: FinancialYear, terms: InstalmentTerms, *, billed_on: date) -> list[date]:
    """The due dates of the plan's instalments for a bill issued on `billed_on` (see module doc)."""
    earliest = billed_on + NOTICE
    days: list[date] = []
    for offset in range(terms.months):
        month_index = _APRIL - 1 + offset
        due = date(year.starts + month_index // 12, month_index % 12 + 1, terms.day_of_month)
        if due >= earliest:
            days.append(due)
    return days or [earliest]


def instalments_for(
    amount_pence: int, year: FinancialYear, terms: InstalmentTerms = InstalmentTerms(), *, billed_on: date
) -> tuple[Instalment, ...]:
    """The instalments for a bill of `amount_pence`; they add up exactly to it. A bill of nothing (an exempt
    property) has none: ten instalments of £0.00 would be ten lines telling a resident nothing."""
    if amount_pence == 0:
        return ()
    days = instalment_days(year, terms, billed_on=billed_on)
    shares = split_evenly(amount_pence, len(days))
    return tuple(Instalment(due, pence) for due, pence in zip(days, shares, strict=True))


def paid_by(payments: Sequence[Payment], day: date) -> int:
    """Everything received on or before `day`, less what went back (refunds and returned payments) by then."""
    return sum(payment.pence for payment in payments if payment.received <= day)


def revised_instalments(
    plan: Sequence[Instalment], new_charge_pence: int, *, payments: Sequence[Payment], revised_on: date
) -> tuple[Instalment, ...]:
    """The whole plan after the charge changes to `new_charge_pence` on `revised_on`; it adds up to it.

    It opens with one settled entry, dated `revised_on`, for what was paid by then (capped at the new charge:
    any excess is a credit that `account_position` shows), followed by the plan's instalments due at least 14
    days later sharing the balance, the first taking the odd pennies.
    """
    # at least nothing: even were more given back than paid, the new plan cannot open with a negative "paid"
    settled = max(0, min(paid_by(payments, revised_on), new_charge_pence))
    balance = new_charge_pence - settled
    head = (Instalment(revised_on, settled, settled=True),) if settled else ()
    if balance == 0:
        return head
    earliest = revised_on + NOTICE
    days = [instalment.due for instalment in plan if instalment.due >= earliest] or [earliest]
    shares = split_evenly(balance, len(days))
    return head + tuple(Instalment(due, pence) for due, pence in zip(days, shares, strict=True))


def account_position(
    charge_pence: int, instalments: Sequence[Instalment], payments: Sequence[Payment], *, today: date
) -> AccountPosition:
    """Paid, balance, overdue and next instalment on `today`; payments after `today` are not counted."""
    paid = paid_by(payments, today)
    due_before_today = sum(i.pence for i in instalments if i.due < today)
    return AccountPosition(
        charge_pence=charge_pence,
        paid_pence=paid,
        balance_pence=charge_pence - paid,
        overdue_pence=max(0, due_before_today - paid),
        next_instalment=_next_uncovered(instalments, paid, today),
    )


def _next_uncovered(instalments: Sequence[Instalment], paid: int, today: date) -> Instalment | None:
    unallocated = paid
    for instalment in sorted(instalments, key=lambda i: i.due):
        covered = min(unallocated, instalment.pence)
        unallocated -= covered
        if instalment.due >= today and covered < instalment.pence:
            return Instalment(instalment.due, instalment.pence - covered)
    return None
