"""The synthetic population: households and people living in the gazetteer's homes, and three years of change.

Households are drawn by type of home (more single people in flats, more older couples in bungalows), people get
realistic names and dates of birth, couples often share a surname (with the birth surname kept), and over the
three years before `as_of` people are born, die and move: within the council, in from outside and away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from townhall.synthetic.council import World, Writer
from townhall.synthetic.geography import Geography
from townhall.synthetic.models import (
    SyntheticHousehold,
    SyntheticLifeEvent,
    SyntheticPerson,
    SyntheticResidence,
)
from townhall.synthetic.names import NameDrawer

HISTORY_YEARS = 3
OCCUPIED_SHARE = 0.95

HOUSEHOLD_KINDS = (
    "single_working_age", "single_older", "couple", "older_couple", "couple_children", "lone_parent",
    "couple_adult_children", "sharers",
)  # fmt: skip
# Shares of household kinds by type of home, after the shape of the 2021 Census for England.
KIND_SHARES = {
    "flat": (0.30, 0.15, 0.18, 0.05, 0.08, 0.10, 0.02, 0.12),
    "terraced": (0.14, 0.10, 0.20, 0.07, 0.22, 0.11, 0.08, 0.08),
    "semi-detached": (0.10, 0.10, 0.20, 0.12, 0.26, 0.06, 0.13, 0.03),
    "detached": (0.06, 0.08, 0.22, 0.18, 0.28, 0.03, 0.14, 0.01),
    "bungalow": (0.08, 0.30, 0.10, 0.40, 0.05, 0.02, 0.05, 0.00),
}
YEARLY_MOVE_RATE = 0.09
YEARLY_BIRTH_RATE = 0.07  # for a household with a woman aged 18 to 44


@dataclass
class _Household:
    household_id: int
    kind: str
    uprn: int
    since: date
    members: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Residence:
    residence_id: int
    person: int  # index into the Population's lists
    household_id: int
    uprn: int
    role: str
    moved_in: date
    moved_out: date | None = None


@dataclass
class Population:
    """The people and households, for the parts built after this one (silo extracts, accounts, ...)."""

    first_name: list[str] = field(default_factory=list)
    middle_name: list[str | None] = field(default_factory=list)
    last_name: list[str] = field(default_factory=list)
    birth_last_name: list[str] = field(default_factory=list)
    sex: list[str] = field(default_factory=list)
    date_of_birth: list[date] = field(default_factory=list)
    date_of_death: list[date | None] = field(default_factory=list)
    household_kind: dict[int, str] = field(default_factory=dict)
    residences: list[Residence] = field(default_factory=list)
    events: list[tuple[int, int, str, date, int | None]] = field(default_factory=list)
    # Who lives where at `as_of`: uprn -> (household id, person indexes)
    current: dict[int, tuple[int, list[int]]] = field(default_factory=dict)

    def person_id(self, index: int) -> int:
        return index + 1

    def __len__(self) -> int:
        return len(self.first_name)


def _annual_death_probability(age: float) -> float:
    """A Gompertz curve close to England's life tables: 0.2% at 40, 5% at 80."""
    return min(0.5, math.exp(-10.3 + 0.092 * age))


class _Simulation:
    def __init__(self, geography: Geography, as_of: date, rng: np.random.Generator) -> None:
        self.geography = geography
        self.rng = rng
        self.names = NameDrawer(rng)
        self.as_of = as_of
        self.start = as_of - timedelta(days=365 * HISTORY_YEARS)
        self.population = Population()
        self.living_at: dict[int, _Household] = {}  # uprn -> household living there now
        self.residence_of: dict[int, int] = {}  # person index -> index of their open residence row
        self.next_household = 1

    # People -----------------------------------------------------------------------------------------------
    def new_person(self, sex: str, born: date, surname: str, birth_surname: str | None = None) -> int:
        p = self.population
        p.first_name.append(self.names.first_name(sex))
        p.middle_name.append(self.names.middle_name(sex))
        p.last_name.append(surname)
        p.birth_last_name.append(birth_surname or surname)
        p.sex.append(sex)
        p.date_of_birth.append(born)
        p.date_of_death.append(None)
        return len(p.first_name) - 1

    def born_aged(self, low: float, high: float, on: date) -> date:
        return on - timedelta(days=int(self.rng.uniform(low, high) * 365.25))

    def random_sex(self) -> str:
        return "F" if self.rng.random() < 0.51 else "M"

    # Households -------------------------------------------------------------------------------------------
    def form_household(self, uprn: int, on: date, kind: str) -> _Household:
        household = _Household(self.next_household, kind, uprn, on)
        self.next_household += 1
        self.population.household_kind[household.household_id] = kind
        for person in self._members_for(kind, on):
            household.members.append(person)
        self.living_at[uprn] = household
        return household

    def _members_for(self, kind: str, on: date) -> list[int]:
        if kind in ("single_working_age", "single_older"):
            low, high = (19, 66) if kind == "single_working_age" else (66, 96)
            return [self.new_person(self.random_sex(), self.born_aged(low, high, on), self.names.surname())]
        if kind == "sharers":
            count = int(self.rng.integers(2, 5))
            return [
                self.new_person(self.random_sex(), self.born_aged(19, 36, on), self.names.surname())
                for _ in range(count)
            ]
        if kind == "lone_parent":
            parent_sex = "F" if self.rng.random() < 0.86 else "M"
            parent = self.new_person(parent_sex, self.born_aged(20, 56, on), self.names.surname())
            return [
                parent,
                *self._children_of(parent, on, int(self.rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15])), 0, 18),
            ]
        ages = {
            "couple": (22, 66),
            "older_couple": (66, 93),
            "couple_children": (24, 56),
            "couple_adult_children": (45, 71),
        }
        first, second = self._couple(*ages[kind], on)
        if kind == "couple_children":
            count = int(self.rng.choice([1, 2, 3, 4], p=[0.4, 0.4, 0.15, 0.05]))
            return [first, second, *self._children_of(first, on, count, 0, 18)]
        if kind == "couple_adult_children":
            return [first, second, *self._children_of(first, on, int(self.rng.integers(1, 3)), 18, 31)]
        return [first, second]

    def _couple(self, low: float, high: float, on: date) -> tuple[int, int]:
        p = self.population
        first_sex = "F" if self.rng.random() < 0.5 else "M"
        same_sex = self.rng.random() < 0.07
        second_sex = first_sex if same_sex else ("M" if first_sex == "F" else "F")
        first = self.new_person(first_sex, self.born_aged(low, high, on), self.names.surname())
        age_gap = timedelta(days=int(self.rng.normal(0, 4) * 365.25))
        second_born = min(p.date_of_birth[first] + age_gap, on - timedelta(days=18 * 366))
        own_surname = self.names.surname()
        shared = not same_sex and self.rng.random() < 0.7
        surname = p.last_name[first] if shared else own_surname
        second = self.new_person(second_sex, second_born, surname, birth_surname=own_surname)
        return first, second

    def _children_of(self, parent: int, on: date, count: int, low: float, high: float) -> list[int]:
        p = self.population
        parent_age = (on - p.date_of_birth[parent]).days / 365.25
        children = []
        for _ in range(count):
            youngest_possible = max(low, parent_age - 42)
            oldest_possible = min(high, parent_age - 18)
            if oldest_possible <= youngest_possible:
                break
            born = self.born_aged(youngest_possible, oldest_possible, on)
            children.append(self.new_person(self.random_sex(), born, p.last_name[parent]))
        return children

    # Residences and events -------------------------------------------------------------------------------
    def move_in(self, household: _Household, person: int, on: date) -> None:
        age = (on - self.population.date_of_birth[person]).days / 365.25
        residence = Residence(
            residence_id=len(self.population.residences) + 1,
            person=person,
            household_id=household.household_id,
            uprn=household.uprn,
            role="child" if age < 18 else "adult",
            moved_in=max(on, self.population.date_of_birth[person]),
        )
        self.residence_of[person] = len(self.population.residences)
        self.population.residences.append(residence)

    def move_out(self, person: int, on: date) -> None:
        index = self.residence_of.pop(person, None)
        if index is not None:
            self.population.residences[index].moved_out = on

    def event(self, person: int, kind: str, on: date, uprn: int | None) -> None:
        self.population.events.append((len(self.population.events) + 1, person, kind, on, uprn))

    # The simulation ---------------------------------------------------------------------------------------
    def settle_initial_households(self) -> None:
        for uprn, home_type in zip(self.geography.uprn.tolist(), self.geography.property_type, strict=True):
            if self.rng.random() >= OCCUPIED_SHARE:
                continue
            kind = HOUSEHOLD_KINDS[int(self.rng.choice(len(HOUSEHOLD_KINDS), p=KIND_SHARES[home_type]))]
            since = self.start - timedelta(days=int(self.rng.uniform(0, 20) * 365.25))
            household = self.form_household(uprn, self.start, kind)
            household.since = since
            for person in household.members:
                self.move_in(household, person, since)

    def run_year(self, year: int) -> None:
        window_start = self.start + timedelta(days=365 * year)
        vacant = [u for u in self.geography.uprn.tolist() if u not in self.living_at]
        for household in list(self.living_at.values()):
            # Deaths in the first half of the year, births in the third quarter and moves in the last, so events
            # stay in order (nobody is born into a home the family has already left).
            self._deaths(household, window_start)
            if not household.members:
                del self.living_at[household.uprn]
                vacant.append(household.uprn)
                continue
            self._birth(household, window_start + timedelta(days=182))
            if self.rng.random() < YEARLY_MOVE_RATE:
                self._move(household, window_start + timedelta(days=274 + int(self.rng.integers(91))), vacant)
        self._arrivals(vacant, window_start)

    def _deaths(self, household: _Household, window_start: date) -> None:
        p = self.population
        for person in list(household.members):
            age = (window_start - p.date_of_birth[person]).days / 365.25
            if self.rng.random() < _annual_death_probability(age):
                died = window_start + timedelta(days=int(self.rng.integers(182)))
                p.date_of_death[person] = died
                self.move_out(person, died)
                self.event(person, "died", died, household.uprn)
                household.members.remove(person)

    def _birth(self, household: _Household, half_year: date) -> None:
        if household.kind not in ("couple", "couple_children", "lone_parent"):
            return
        p = self.population
        mothers = [
            m
            for m in household.members
            if p.sex[m] == "F" and 18 <= (half_year - p.date_of_birth[m]).days / 365.25 < 45
        ]
        if not mothers or self.rng.random() >= YEARLY_BIRTH_RATE:
            return
        born = half_year + timedelta(days=int(self.rng.integers(91)))
        child = self.new_person(self.random_sex(), born, p.last_name[household.members[0]])
        household.members.append(child)
        self.move_in(household, child, born)
        self.event(child, "born", born, household.uprn)

    def _move(self, household: _Household, on: date, vacant: list[int]) -> None:
        for person in household.members:
            self.move_out(person, on)
        del self.living_at[household.uprn]
        old_uprn = household.uprn
        if vacant and self.rng.random() < 0.5:
            index = int(self.rng.integers(len(vacant)))
            vacant[index], vacant[-1] = vacant[-1], vacant[index]
            household.uprn = vacant.pop()
            self.living_at[household.uprn] = household
            for person in household.members:
                self.event(person, "moved_out", on, old_uprn)
                self.move_in(household, person, on)
                self.event(person, "moved_in", on, household.uprn)
        else:
            for person in household.members:
                self.event(person, "left", on, old_uprn)
        vacant.append(old_uprn)

    def _arrivals(self, vacant: list[int], window_start: date) -> None:
        target = int(len(self.geography) * OCCUPIED_SHARE)
        arrivals = max(0, target - len(self.living_at))
        types = dict(zip(self.geography.uprn.tolist(), self.geography.property_type, strict=True))
        for _ in range(min(arrivals, len(vacant))):
            index = int(self.rng.integers(len(vacant)))
            vacant[index], vacant[-1] = vacant[-1], vacant[index]
            uprn = vacant.pop()
            on = window_start + timedelta(days=int(self.rng.integers(365)))
            kind = HOUSEHOLD_KINDS[int(self.rng.choice(len(HOUSEHOLD_KINDS), p=KIND_SHARES[types[uprn]]))]
            household = self.form_household(uprn, on, kind)
            for person in household.members:
                self.move_in(household, person, on)
                self.event(person, "arrived", on, uprn)


class PopulationPart:
    name = "population"
    requires: tuple[str, ...] = ("geography",)

    def build(self, world: World, writer: Writer, rng: np.random.Generator) -> None:
        geography: Geography = world.need("geography")
        simulation = _Simulation(geography, world.spec.as_of, rng)
        simulation.settle_initial_households()
        for year in range(HISTORY_YEARS):
            simulation.run_year(year)
            writer.report("population", year + 1, HISTORY_YEARS)
        population = simulation.population
        population.current = {uprn: (h.household_id, list(h.members)) for uprn, h in simulation.living_at.items()}
        _write(population, writer)
        world.built[self.name] = population


def _write(population: Population, writer: Writer) -> None:
    p = population
    writer.insert(
        SyntheticPerson,
        (
            "person_id",
            "first_name",
            "middle_name",
            "last_name",
            "birth_last_name",
            "sex",
            "date_of_birth",
            "date_of_death",
        ),
        zip(
            range(1, len(p) + 1),
            p.first_name,
            p.middle_name,
            p.last_name,
            p.birth_last_name,
            p.sex,
            p.date_of_birth,
            p.date_of_death,
            strict=True,
        ),
    )
    writer.insert(SyntheticHousehold, ("household_id", "kind"), sorted(p.household_kind.items()))
    writer.insert(
        SyntheticResidence,
        ("id", "person_id", "household_id", "uprn", "role", "moved_in", "moved_out"),
        (
            (r.residence_id, p.person_id(r.person), r.household_id, r.uprn, r.role, r.moved_in, r.moved_out)
            for r in p.residences
        ),
    )
    writer.insert(
        SyntheticLifeEvent,
        ("id", "person_id", "kind", "on_date", "uprn"),
        ((e[0], p.person_id(e[1]), e[2], e[3], e[4]) for e in p.events),
    )


POPULATION = PopulationPart()
