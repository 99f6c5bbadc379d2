"""Council tax charges by band in England, in integer pence.

Bands A to H pay a fixed proportion of Band D (Local Government Finance Act 1992, section 5): 6, 7, 8, 9, 11,
13, 15 and 18 ninths. Each precepting body (the district council, the county, the police, fire, a parish)
sets its own Band D amount; the charge for a band is the sum over the bodies.

The rounding rule, as implemented: each body's amount for a band is computed exactly (a Fraction) and rounded
half up to the nearest penny, and the bill is the sum of those rounded amounts. That is how the figures are
published: each body's band table is printed in pounds and pence, and the bill shows those lines adding up
to the total. Rounding the total once could differ by a penny from the lines printed above it.
(With ninths a value never ends in exactly half a penny, so "half up" only matters for other fractions.)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction


class Band(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"


BAND_PROPORTIONS: dict[Band, Fraction] = {
    Band.A: Fraction(6, 9),
    Band.B: Fraction(7, 9),
    Band.C: Fraction(8, 9),
    Band.D: Fraction(9, 9),
    Band.E: Fraction(11, 9),
    Band.F: Fraction(13, 9),
    Band.G: Fraction(15, 9),
    Band.H: Fraction(18, 9),
}


class BodyKind(enum.StrEnum):
    DISTRICT = "district council"
    COUNTY = "county council"
    POLICE = "police and crime commissioner"
    FIRE = "fire and rescue authority"
    PARISH = "parish or town council"


@dataclass(frozen=True, slots=True)
class Precept:
    """One precepting body's Band D amount for a year, in pence."""

    body: str  # "Anytown District Council"
    kind: BodyKind
    band_d_pence: int


@dataclass(frozen=True, slots=True)
class ChargeLine:
    body: str
    kind: BodyKind
    pence: int


@dataclass(frozen=True, slots=True)
class BandCharge:
    """A band's annual charge: one line per precepting body, and their sum."""

    band: Band
    lines: tuple[ChargeLine, ...]

    @property
    def total_pence(self) -> int:
        return sum(line.pence for line in self.lines)


def round_half_up(amount: Fraction) -> int:
    """The nearest whole number, halves rounded away from zero for positive amounts (up)."""
    whole, remainder = divmod(amount.numerator, amount.denominator)
    return whole + (1 if 2 * remainder >= amount.denominator else 0)


def band_charge(band_d_pence: int, band: Band) -> int:
    """One body's annual amount for `band`, in pence, from its Band D amount: exact, then rounded half up."""
    if band_d_pence < 0:
        raise ValueError("a Band D amount cannot be negative")
    return round_half_up(band_d_pence * BAND_PROPORTIONS[Band(band)])


def charge_for_band(precepts: Iterable[Precept], band: Band) -> BandCharge:
    """The annual charge for `band`: each body's amount rounded on its own, then added up (see module doc)."""
    lines = tuple(ChargeLine(p.body, p.kind, band_charge(p.band_d_pence, band)) for p in precepts)
    return BandCharge(Band(band), lines)


def format_pounds(pence: int) -> str:
    """ "£1,447.25" for 144725; negative amounts as "-£3.00"."""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"
