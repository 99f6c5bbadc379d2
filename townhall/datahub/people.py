"""A small, documented population of true people for the data hub's tests and benchmark.

The real synthetic council (``townhall.synthetic``) will supply the same columns; this generator exists so the
linkage code can be tested and measured on its own. ``make_people(n, seed)`` returns one row per person:

    person_id, first_name, middle_name, last_name, sex ('F'/'M'), date_of_birth (date), uprn, address,
    postcode, previous_uprn, previous_address, previous_postcode   (previous_* null unless the person moved)

People live in households: one or two adults sharing a surname and an address, often with children aged 0-17
who share both. About 12% of people moved in the last few years and carry their previous address.

Surnames come from ``townhall.synthetic.surnames``: the 500 commonest British surnames at their published
shares (39.5% of people) and a long tail for the rest, so that, as in a real town, most people's full name
is theirs alone (``name_collisions`` measures it).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

REFERENCE_DATE = date(2025, 4, 1)  # "today" for ages, fixed so the population is the same every run
MOVED_SHARE = 0.12
_STREET_TYPES = ("ROAD", "STREET", "AVENUE", "LANE", "CLOSE", "DRIVE", "CRESCENT", "GARDENS", "WAY", "GROVE")
_STREET_NAMES = (
    "Church", "Station", "Victoria", "Park", "Mill", "Queens", "Kings", "Manor", "Chapel", "Orchard",
    "Meadow", "Willow", "Beech", "Oak", "Elm", "Ash", "Cedar", "Highfield", "Grange", "Springfield",
    "Windsor", "York", "Albert", "Alexandra", "Brook", "Castle", "Hill", "School", "Green", "Forest",
)  # fmt: skip
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@cache
def _name_pools() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """First names with Zipf-like weights from Faker's English-language lists; surnames with British
    frequencies and a long tail (``townhall.synthetic.surnames``, shared with the synthetic council)."""
    from faker.providers.person.en_GB import Provider as British
    from faker.providers.person.en_US import Provider as American

    from townhall.synthetic.surnames import surname_pool

    def weighted(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
        unique = np.array(list(dict.fromkeys(names)))
        weights = 1.0 / np.arange(1, len(unique) + 1) ** 0.6
        return unique, weights / weights.sum()

    surnames, shares = surname_pool()
    return {
        "F": weighted([*British.first_names_female, *American.first_names_female]),
        "M": weighted([*British.first_names_male, *American.first_names_male]),
        "last": (np.array(surnames), shares),
    }


def _pick(rng: np.random.Generator, pool: tuple[np.ndarray, np.ndarray], size: int) -> np.ndarray:
    names, weights = pool
    return rng.choice(names, size=size, p=weights)


def _properties(n_properties: int, rng: np.random.Generator) -> pd.DataFrame:
    """Properties with unique UPRNs, a street address and a valid-format postcode shared by ~15 homes."""
    import pandas as pd

    streets = np.array([f"{name} {kind}" for name in _STREET_NAMES for kind in _STREET_TYPES])
    street = rng.integers(0, len(streets), n_properties)
    number = rng.integers(1, 240, n_properties)
    district = rng.integers(1, 10, n_properties)
    sector = rng.integers(0, 10, n_properties)
    units = rng.integers(0, len(_UNIT_LETTERS), (n_properties, 2))
    postcodes = [
        f"ZX{d} {s}{_UNIT_LETTERS[a]}{_UNIT_LETTERS[b]}" for d, s, (a, b) in zip(district, sector, units, strict=True)
    ]
    flat = np.where(rng.random(n_properties) < 0.15, rng.integers(1, 20, n_properties), 0)
    addresses = [
        (f"Flat {f}, " if f else "") + f"{n} {streets[s].title()}" for f, n, s in zip(flat, number, street, strict=True)
    ]
    return pd.DataFrame({"uprn": 100_000_000 + np.arange(n_properties), "address": addresses, "postcode": postcodes})


def _household_sizes(n: int, rng: np.random.Generator) -> list[int]:
    # Draw more households than needed (every household has at least one person), then cut at n people
    sizes = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.30, 0.34, 0.16, 0.14, 0.06])
    households = int(np.searchsorted(np.cumsum(sizes), n)) + 1
    kept = sizes[:households].copy()
    kept[-1] -= int(kept.sum()) - n
    return [int(size) for size in kept if size > 0]


def _birth_dates(ages: np.ndarray, rng: np.random.Generator) -> list[date]:
    days_old = ages * 365.25 + rng.integers(0, 365, len(ages))
    return [REFERENCE_DATE - timedelta(days=int(days)) for days in days_old]


def make_people(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` true people in households, identical for the same ``seed``; see the module docstring."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    pools = _name_pools()
    sizes = _household_sizes(n, rng)
    household = np.repeat(np.arange(len(sizes)), sizes)
    position = np.concatenate([np.arange(size) for size in sizes])
    size_of = np.repeat(sizes, sizes)
    # The first one or two members are adults; the rest are children of the household
    is_adult = (position == 0) | ((position == 1) & (size_of >= 2) & (rng.random(n) < 0.8))
    ages = np.where(is_adult, rng.integers(18, 92, n), rng.integers(0, 18, n))
    sex = np.where(rng.random(n) < 0.51, "F", "M")
    first = np.where(sex == "F", _pick(rng, pools["F"], n), _pick(rng, pools["M"], n))
    middle_names = np.where(sex == "F", _pick(rng, pools["F"], n), _pick(rng, pools["M"], n)).astype(object)
    middle = np.where(rng.random(n) < 0.6, middle_names, np.array(None, dtype=object))
    surname_of_household = _pick(rng, pools["last"], len(sizes))
    double_barrelled = rng.random(len(sizes)) < 0.03
    second = _pick(rng, pools["last"], len(sizes))
    surname_of_household = np.where(
        double_barrelled,
        np.char.add(np.char.add(surname_of_household.astype(str), "-"), second.astype(str)),
        surname_of_household,
    )
    homes = _properties(int(len(sizes) * 1.3) + 10, rng)
    home_of_household = rng.permutation(len(homes))[: len(sizes)]
    home = homes.iloc[home_of_household[household]].reset_index(drop=True)
    moved = rng.random(n) < MOVED_SHARE
    previous = homes.iloc[rng.integers(0, len(homes), n)].reset_index(drop=True)
    people = pd.DataFrame(
        {
            "person_id": [f"P{i:08d}" for i in range(n)],
            "first_name": first,
            "middle_name": middle,
            "last_name": surname_of_household[household],
            "sex": sex,
            "date_of_birth": _birth_dates(ages, rng),
            "uprn": home["uprn"],
            "address": home["address"],
            "postcode": home["postcode"],
            "previous_uprn": previous["uprn"].where(moved).astype("Int64"),
            "previous_address": previous["address"].where(moved),
            "previous_postcode": previous["postcode"].where(moved),
        }
    )
    return people


def name_collisions(people: pd.DataFrame) -> dict[str, float]:
    """How homogeneous the population's names are: distinct surnames, the commonest surname's share, the
    share of people whose first and last name someone else also has, and the mean number of such namesakes."""
    full = people["first_name"].astype(str) + " " + people["last_name"].astype(str)
    namesakes = full.map(full.value_counts()) - 1
    return {
        "people": float(len(people)),
        "distinct_surnames": float(people["last_name"].nunique()),
        "commonest_surname_share": float(people["last_name"].value_counts(normalize=True).iloc[0]),
        "share_with_a_namesake": float((namesakes > 0).mean()),
        "mean_namesakes": float(namesakes.mean()),
    }
