"""The synthetic council's council tax: parishes, precepts for three years, and accounts for every home.

Band D amounts are realistic for an English shire district: the borough about £225, the county about £1,570,
police about £280 and fire about £82 in 2024/25, rising each year by what the referendum limits allowed
(borough 2.99%, county 4.99%, police £14, fire £5); rural wards have a parish council precepting £20 to £120.
Accounts are built from the population's residences in `synthetic_accounts`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from townhall.counciltax.billing import FinancialYear
from townhall.counciltax.charges import BodyKind, Precept, round_half_up
from townhall.counciltax.models import Parish
from townhall.counciltax.models import Precept as PreceptRow
from townhall.synthetic.council import World, Writer
from townhall.synthetic.geography import Geography

YEARS_COVERED = 3
FIRST_YEAR_BAND_D = {  # 2024/25, in pence
    ("Wexmoor Borough Council", BodyKind.DISTRICT): 22_412,
    ("Wexshire County Council", BodyKind.COUNTY): 157_032,
    ("Wexshire Police and Crime Commissioner", BodyKind.POLICE): 27_814,
    ("Wexshire Fire and Rescue Authority", BodyKind.FIRE): 8_247,
}
FIRST_YEAR = 2024
URBAN_WARD_SHARE = 0.55  # as in synthetic.geography: the first 55% of wards are the main town


@dataclass(frozen=True)
class CouncilTaxWorld:
    """What the accounts are billed from: precepts by year, and the parish (if any) of each ward."""

    years: tuple[FinancialYear, ...]
    precepts: dict[int, list[Precept]]  # financial year -> the bodies every property pays
    parish_precepts: dict[int, dict[str, Precept]]  # financial year -> parish name -> its precept
    parish_of_ward: dict[int, str]  # ward index -> parish name


def covered_years(world: World) -> tuple[FinancialYear, ...]:
    """The financial years with bills: the one containing `as_of` and the two before (never before 2024/25)."""
    last = FinancialYear.containing(world.spec.as_of).starts
    return tuple(FinancialYear(y) for y in range(max(FIRST_YEAR, last - YEARS_COVERED + 1), last + 1))


def _rise(pence: int, kind: BodyKind, years: int) -> int:
    for _ in range(years):
        if kind is BodyKind.DISTRICT:
            pence = round_half_up(pence * Fraction(10_299, 10_000))
        elif kind is BodyKind.COUNTY:
            pence = round_half_up(pence * Fraction(10_499, 10_000))
        else:
            pence += 1_400 if kind is BodyKind.POLICE else 500
    return pence


def _parishes(geography: Geography, rng: np.random.Generator) -> tuple[dict[int, str], dict[str, int]]:
    """A parish for each rural ward, with its 2024/25 Band D precept."""
    first_rural = max(1, int(len(geography.ward_codes) * URBAN_WARD_SHARE))
    parish_of_ward: dict[int, str] = {}
    band_d: dict[str, int] = {}
    for ward in range(first_rural, len(geography.ward_codes)):
        name = f"{geography.ward_names[ward]} Parish Council"
        parish_of_ward[ward] = name
        band_d[name] = int(rng.integers(2_000, 11_000))
    return parish_of_ward, band_d


def _precept_rows(tax: CouncilTaxWorld) -> Iterator[tuple[int, str, str, str | None, int]]:
    for year in tax.years:
        for precept in tax.precepts[year.starts]:
            yield year.starts, precept.body, precept.kind.value, None, precept.band_d_pence
        for name, precept in tax.parish_precepts[year.starts].items():
            yield year.starts, precept.body, precept.kind.value, name, precept.band_d_pence


class CouncilTaxPart:
    name = "counciltax"
    requires: tuple[str, ...] = ("geography", "population")

    def build(self, world: World, writer: Writer, rng: np.random.Generator) -> None:
        from townhall.counciltax.synthetic_accounts import write_accounts

        geography: Geography = world.need("geography")
        years = covered_years(world)
        parish_of_ward, parish_band_d = _parishes(geography, rng)
        parish_rises = {name: rng.uniform(0.0, 0.08) for name in parish_band_d}
        tax = CouncilTaxWorld(
            years=years,
            precepts={
                y.starts: [Precept(body, kind, _rise(p, kind, y.starts - FIRST_YEAR))
                           for (body, kind), p in FIRST_YEAR_BAND_D.items()]
                for y in years
            },
            parish_precepts={
                y.starts: {name: Precept(name, BodyKind.PARISH,
                                         round(p * (1 + parish_rises[name]) ** (y.starts - FIRST_YEAR)))
                           for name, p in parish_band_d.items()}
                for y in years
            },
            parish_of_ward=parish_of_ward,
        )  # fmt: skip
        writer.insert(Parish, ("name", "ward_code"), (
            (name, geography.ward_codes[ward]) for ward, name in parish_of_ward.items()
        ))  # fmt: skip
        writer.insert(PreceptRow, ("financial_year", "body", "kind", "parish_name", "band_d_pence"), _precept_rows(tax))
        write_accounts(world, writer, rng, tax)
        world.built[self.name] = tax


COUNCILTAX = CouncilTaxPart()
