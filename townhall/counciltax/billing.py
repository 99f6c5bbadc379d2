"""What a liable person owes for part or all of a financial year: liability periods, discounts, exemptions.

The rules, as implemented:

- A financial year runs from 1 April to 31 March: 365 days, or 366 when it contains 29 February.
- Council tax is charged by the day. Who is liable, and whether a discount or exemption applies, is decided
  by the state of affairs at the end of each day (Local Government Finance Act 1992, section 2(2)): someone
  moving in on 10 September is liable for 10 September; someone moving out on 20 September is liable up to
  and including 19 September.
- The amount for a period is the annual charge x days in the period / days in the year x (1 - reduction),
  computed exactly with Fractions over all the periods of a bill and rounded half up to the penny once, at
  the end, so that splitting a bill into periods never gains or loses a penny on its own.
- Discounts (section 11): with two or more adults counted, none; with one, 25% (single person discount); when
  every adult resident is disregarded (full-time students, apprentices, people who are severely mentally
  impaired, live-in carers...), 50%. Disregarded people count as not there. A dwelling with nobody resident
  gets no discount here: English councils set their own empty-homes rules (section 11A), outside this module.
- An exemption (Council Tax (Exempt Dwellings) Order 1992, classes B to W) makes the charge nil for its days.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise

from townhall.counciltax.charges import round_half_up

SINGLE_PERSON_DISCOUNT = Fraction(1, 4)
ALL_DISREGARDED_DISCOUNT = Fraction(1, 2)


@dataclass(frozen=True, slots=True)
class FinancialYear:
    """The council tax year starting 1 April `starts` (2026 is the year 2026/27)."""

    starts: int

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def first_day(self) -> date:
        return date(self.starts, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.starts + 1, 3, 31)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def label(self) -> str:
        return f"{self.starts}/{(self.starts + 1) % 100:02d}"

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


class ExemptionClass(enum.StrEnum):
    """England's exempt-dwelling classes; `description` says each in plain English."""

    B = "B"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"
    I = "I"  # noqa: E741 - the class's legal name
    J = "J"
    K = "K"
    L = "L"
    M = "M"
    N = "N"
    O = "O"  # noqa: E741 - the class's legal name
    P = "P"
    Q = "Q"
    R = "R"
    S = "S"
    T = "T"
    U = "U"
    V = "V"
    W = "W"

    @property
    def description(self) -> str:
        return _EXEMPTION_DESCRIPTIONS[self]


_EXEMPTION_DESCRIPTIONS = {
    ExemptionClass.B: "empty and owned by a charity (up to six months)",
    ExemptionClass.D: "left empty by someone in prison",
    ExemptionClass.E: "left empty by someone who now lives in a care home or hospital",
    ExemptionClass.F: "left empty after the liable person died, until probate and up to six months after",
    ExemptionClass.G: "occupation is forbidden by law",
    ExemptionClass.H: "held for a minister of religion",
    ExemptionClass.I: "left empty by someone receiving care elsewhere",
    ExemptionClass.J: "left empty by someone caring for someone elsewhere",
    ExemptionClass.K: "left empty by an owner who is a student",
    ExemptionClass.L: "repossessed by a lender",
    ExemptionClass.M: "a hall of residence for students",
    ExemptionClass.N: "occupied only by students or school and college leavers",
    ExemptionClass.O: "armed forces accommodation",
    ExemptionClass.P: "occupied by a member of a visiting force",
    ExemptionClass.Q: "left empty by a bankrupt person",
    ExemptionClass.R: "an empty caravan pitch or boat mooring",
    ExemptionClass.S: "occupied only by people under 18",
    ExemptionClass.T: "an annex that cannot be let separately",
    ExemptionClass.U: "occupied only by people who are severely mentally impaired (or with students)",
    ExemptionClass.V: "the main residence of a diplomat",
    ExemptionClass.W: "an annex lived in by a dependent relative",
}


@dataclass(frozen=True, slots=True)
class Occupancy:
    """Adults (18 and over) living at the property, and how many of them are disregarded for discounts."""

    adults: int
    disregarded: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.disregarded <= self.adults:
            raise ValueError("disregarded adults must be between 0 and the number of adults")

    @property
    def counted(self) -> int:
        return self.adults - self.disregarded


def discount_for(occupancy: Occupancy) -> Fraction:
    """The discount as a share of the charge: 0, 1/4 (one adult counted) or 1/2 (all adults disregarded)."""
    if occupancy.counted == 1:
        return SINGLE_PERSON_DISCOUNT
    if occupancy.counted == 0 and occupancy.adults > 0:
        return ALL_DISREGARDED_DISCOUNT
    return Fraction(0)


@dataclass(frozen=True, slots=True)
class ChargePeriod:
    """Days `starts` to `ends` inclusive over which the liability and the circumstances stay the same."""

    starts: date
    ends: date
    occupancy: Occupancy
    exemption: ExemptionClass | None = None

    def __post_init__(self) -> None:
        if self.ends < self.starts:
            raise ValueError(f"a charge period cannot end ({self.ends}) before it starts ({self.starts})")

    @property
    def days(self) -> int:
        return (self.ends - self.starts).days + 1

    @property
    def reduction(self) -> Fraction:
        """The share of the charge taken off: all of it when exempt, else the discount."""
        return Fraction(1) if self.exemption is not None else discount_for(self.occupancy)


def liability_period(
    year: FinancialYear, *, moved_in: date | None = None, moved_out: date | None = None
) -> tuple[date, date]:
    """The first and last day of the year someone is liable, by the end-of-day rule (see the module doc).

    Raises ValueError when they are not liable for any day of the year.
    """
    first = max(year.first_day, moved_in) if moved_in else year.first_day
    last = min(year.last_day, moved_out - timedelta(days=1)) if moved_out else year.last_day
    if last < first:
        raise ValueError(f"not liable for any day of {year.label}")
    return first, last


def chargeable_amount(annual_pence: int, year: FinancialYear, periods: Sequence[ChargePeriod]) -> int:
    """The amount due in pence for the given periods of one year, after discounts and exemptions.

    Periods must lie within the year and not overlap. Exact arithmetic, rounded half up once (module doc).
    """
    _check_periods(year, periods)
    exact = sum(
        (Fraction(annual_pence * period.days, year.days) * (1 - period.reduction) for period in periods),
        start=Fraction(0),
    )
    return round_half_up(exact)


def _check_periods(year: FinancialYear, periods: Sequence[ChargePeriod]) -> None:
    ordered = sorted(periods, key=lambda period: period.starts)
    for period in ordered:
        if not (year.contains(period.starts) and year.contains(period.ends)):
            raise ValueError(f"period {period.starts} to {period.ends} is not within {year.label}")
    for earlier, later in pairwise(ordered):
        if later.starts <= earlier.ends:
            raise ValueError(f"periods overlap on {later.starts}")
