"""Council tax accounts drawn from the synthetic population: who was liable where and when, their discounts,
exemptions, bills (revised when circumstances change mid-year), instalments and payments.

One account per household per home (a move ends an account and the new home starts another). The liable
people are the household's adults. Discounts and exemptions follow the household day by day: one adult counted
gives the single person discount; full-time students (adults under 23, some of them) and, rarely, people who are
severely mentally impaired are disregarded; a home where every adult is a student is exempt (Class N). Most
accounts pay every instalment on its day; about 7% stop paying at some point and fall into arrears.

Money also goes back, as in a real revenues system: an account closed in credit (a move out, after paying ahead
of the days liable) is refunded four weeks after its final bill; and about one direct debit payer in 25 has one
collection this year returned unpaid by their bank a few days later, paid again by card two weeks after that.
Both follow from the account's reference, not from the random draws, so every other figure is as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from townhall.counciltax.billing import ChargePeriod, ExemptionClass, FinancialYear, Occupancy, chargeable_amount
from townhall.counciltax.charges import Band, charge_for_band
from townhall.counciltax.instalments import (
    Instalment,
    InstalmentTerms,
    Payment,
    instalments_for,
    revised_instalments,
)
from townhall.counciltax.models import Account, Bill, BillInstalment, Discount, Exemption, LiablePerson
from townhall.counciltax.models import Payment as PaymentRow
from townhall.counciltax.payments import DIRECT_DEBIT_RETURN, REFUND
from townhall.synthetic.council import World, Writer
from townhall.synthetic.geography import Geography
from townhall.synthetic.population import Population, Residence

STUDENT_SHARE = 0.45  # of people aged 18 to 22: in full-time education
STUDENT_UNTIL_AGE = 23
SEVERELY_MENTALLY_IMPAIRED_SHARE = 0.005
ARREARS_SHARE = 0.07
LATE_PAYER_SHARE = 0.04
TWELVE_MONTHS_SHARE = 0.2
ANNUAL_BILLS_SENT = timedelta(days=21)  # before 1 April
PAYMENT_METHODS = ("direct debit", "direct debit", "direct debit", "card", "bank transfer")
RETURNED_DIRECT_DEBIT_EVERY = 25  # one direct debit payer in 25 has a collection returned unpaid this year
RETURN_ARRIVES = timedelta(days=5)  # the bank's notice of an unpaid direct debit takes a few working days
PAID_AGAIN_AFTER = timedelta(days=14)  # the resident pays it again by card, after the council's letter
REFUND_SENT = timedelta(days=28)  # after the final bill of an account closed in credit


@dataclass(frozen=True, slots=True)
class State:
    """The household as council tax sees it at the end of a day."""

    occupancy: Occupancy
    exemption: ExemptionClass | None


@dataclass
class Segment:
    starts: date
    ends: date
    state: State


@dataclass
class _Tenure:
    household_id: int
    uprn: int
    residences: list[Residence] = field(default_factory=list)


@dataclass
class _Rows:
    accounts: list[tuple[Any, ...]] = field(default_factory=list)
    liable: list[tuple[Any, ...]] = field(default_factory=list)
    discounts: list[tuple[Any, ...]] = field(default_factory=list)
    exemptions: list[tuple[Any, ...]] = field(default_factory=list)
    bills: list[tuple[Any, ...]] = field(default_factory=list)
    instalments: list[tuple[Any, ...]] = field(default_factory=list)
    payments: list[tuple[Any, ...]] = field(default_factory=list)


def birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # born on 29 February
        return date(born.year + age, 3, 1)


class _People:
    """Per person: date of birth and whether they are a student or severely mentally impaired."""

    def __init__(self, population: Population, rng: np.random.Generator) -> None:
        count = len(population.date_of_birth)
        self.born = population.date_of_birth
        self.student = (rng.random(count) < STUDENT_SHARE).tolist()
        self.impaired = (rng.random(count) < SEVERELY_MENTALLY_IMPAIRED_SHARE).tolist()

    def adult_on(self, person: int, day: date) -> bool:
        return birthday(self.born[person], 18) <= day

    def student_on(self, person: int, day: date) -> bool:
        return bool(self.student[person]) and day < birthday(self.born[person], STUDENT_UNTIL_AGE)


def state_on(tenure: _Tenure, people: _People, day: date) -> State:
    present = [r.person for r in tenure.residences if r.moved_in <= day and (r.moved_out is None or day < r.moved_out)]
    adults = [p for p in present if people.adult_on(p, day)]
    students = [p for p in adults if people.student_on(p, day)]
    if adults and len(students) == len(adults):
        return State(Occupancy(len(adults), len(adults)), ExemptionClass.N)
    disregarded = len(students) + sum(1 for p in adults if p not in students and people.impaired[p])
    return State(Occupancy(len(adults), disregarded), None)


def segments(tenure: _Tenure, people: _People, first: date, last: date, known_until: date) -> list[Segment]:
    """The account's days from `first` to `last` split where circumstances change (as known by `known_until`)."""
    points: set[date] = set()
    for residence in tenure.residences:
        points.update(d for d in (residence.moved_in, residence.moved_out) if d is not None)
        born = people.born[residence.person]
        points.update((birthday(born, 18), birthday(born, STUDENT_UNTIL_AGE)))
    starts = [first, *sorted(p for p in points if first < p <= min(last, known_until))]
    found: list[Segment] = []
    for index, day in enumerate(starts):
        ends = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else last
        state = state_on(tenure, people, day)
        if found and found[-1].state == state:
            found[-1].ends = ends
        else:
            found.append(Segment(day, ends, state))
    return found


def tenures_of(population: Population) -> list[_Tenure]:
    """Each household's stay at each home, in the order they began."""
    by_key: dict[tuple[int, int], _Tenure] = {}
    for residence in population.residences:
        key = (residence.household_id, residence.uprn)
        by_key.setdefault(key, _Tenure(residence.household_id, residence.uprn)).residences.append(residence)
    return sorted(by_key.values(), key=lambda t: (min(r.moved_in for r in t.residences), t.household_id))


def adult_stays(tenure: _Tenure, people: _People) -> list[tuple[Residence, date]]:
    """The residences of people who were adults there at some point, with the day each became liable.

    Age, not the residence's role, decides: a child who grew up at home becomes liable at 18.
    """
    stays = []
    for residence in tenure.residences:
        liable_from = max(residence.moved_in, birthday(people.born[residence.person], 18))
        if residence.moved_out is None or liable_from < residence.moved_out:
            stays.append((residence, liable_from))
    return stays


def liability_of(tenure: _Tenure, people: _People) -> tuple[date, date | None] | None:
    """First and last liable day (last None while an adult still lives there); None without an adult."""
    stays = adult_stays(tenure, people)
    if not stays:
        return None
    starts = min(liable_from for _residence, liable_from in stays)
    if any(residence.moved_out is None for residence, _ in stays):
        return starts, None
    return starts, max(r.moved_out for r, _ in stays if r.moved_out is not None) - timedelta(days=1)


class _Billing:
    """Bills one account for one year, version by version, with the payments the payer makes."""

    def __init__(self, reference: str, terms: InstalmentTerms, as_of: date, payer: tuple[date | None, int]) -> None:
        self.reference = reference
        self.terms = terms
        self.as_of = as_of
        self.stops_paying, self.lateness = payer
        number = int(reference)
        self.method = PAYMENT_METHODS[number % len(PAYMENT_METHODS)]  # one way of paying per account
        # which collection comes back unpaid: this year's first at least this many days into it (None: none does)
        returns = self.method == "direct debit" and number // len(PAYMENT_METHODS) % RETURNED_DIRECT_DEBIT_EVERY == 0
        self.returned_after: timedelta | None = timedelta(days=number % 180) if returns else None
        self.this_year = FinancialYear.containing(as_of)

    def bill_year(
        self, year: FinancialYear, annual: int, actual: list[Segment], ends: date | None, rows: _Rows
    ) -> None:
        first = actual[0].starts
        events = [first, *(s.starts for s in actual[1:] if s.starts <= self.as_of)]
        if ends is not None and ends < year.last_day:
            events.append(ends + timedelta(days=1))
        payments: list[Payment] = []
        plan: tuple[Instalment, ...] = ()
        versions: list[tuple[date, int]] = []
        for event in events:
            charge = chargeable_amount(annual, year, _known_periods(actual, event, year))
            if versions and versions[-1][1] == charge:
                continue
            issued = (year.first_day - ANNUAL_BILLS_SENT) if not versions and first == year.first_day else event
            if versions:
                self._pay(plan, versions[-1][0], issued, year, payments, rows)
                plan = revised_instalments(plan, charge, payments=payments, revised_on=issued)
            else:
                plan = instalments_for(charge, year, self.terms, billed_on=issued)
            versions.append((issued, charge))
            self._write_bill(year, len(versions), issued, charge, plan, rows)
        self._pay(plan, versions[-1][0], None, year, payments, rows)
        if ends is not None and ends <= year.last_day:
            self._refund_credit(year, versions[-1], payments, rows)

    def _pay(self, plan: tuple[Instalment, ...], since: date, until: date | None, year: FinancialYear,
             payments: list[Payment], rows: _Rows) -> None:  # fmt: skip
        for instalment in plan:
            due = instalment.due
            if instalment.settled or due < since or (until is not None and due >= until) or due > self.as_of:
                continue
            if instalment.pence == 0:  # nothing due, nothing paid (no £0.00 "payment" on the resident's page)
                continue
            if self.stops_paying is not None and due >= self.stops_paying:
                continue
            received = min(due + timedelta(days=self.lateness), self.as_of)
            self._record(year, received, instalment.pence, self.method, payments, rows)
            if instalment.pence > 0 and self._comes_back(year, received):
                self._return_direct_debit(year, received, instalment.pence, payments, rows)

    def _record(self, year: FinancialYear, received: date, pence: int, method: str, payments: list[Payment],
                rows: _Rows) -> None:  # fmt: skip
        payments.append(Payment(received, pence))
        rows.payments.append((self.reference, year.starts, received, pence, method))

    def _comes_back(self, year: FinancialYear, received: date) -> bool:
        if self.returned_after is None or year != self.this_year:
            return False
        return received >= year.first_day + self.returned_after and received + RETURN_ARRIVES <= self.as_of

    def _return_direct_debit(self, year: FinancialYear, collected: date, pence: int, payments: list[Payment],
                             rows: _Rows) -> None:  # fmt: skip
        """The bank returns the collection unpaid; the resident pays it by card two weeks later, if that is past."""
        self.returned_after = None  # once a year is realistic; more would be arrears, which `stops_paying` models
        returned = collected + RETURN_ARRIVES
        self._record(year, returned, -pence, DIRECT_DEBIT_RETURN, payments, rows)
        if returned + PAID_AGAIN_AFTER <= self.as_of:
            self._record(year, returned + PAID_AGAIN_AFTER, pence, "card", payments, rows)

    def _refund_credit(self, year: FinancialYear, final_bill: tuple[date, int], payments: list[Payment],
                       rows: _Rows) -> None:  # fmt: skip
        """A closed account's credit (paid ahead of the days it was liable for) goes back to the resident."""
        issued, charge = final_bill
        credit = sum(payment.pence for payment in payments) - charge
        if credit > 0 and issued + REFUND_SENT <= self.as_of:
            self._record(year, issued + REFUND_SENT, -credit, REFUND, payments, rows)

    def _write_bill(self, year: FinancialYear, version: int, issued: date, charge: int,
                    plan: tuple[Instalment, ...], rows: _Rows) -> None:  # fmt: skip
        reason = "annual bill" if version == 1 else "revised: change of circumstances"
        rows.bills.append((self.reference, year.starts, version, issued, charge, reason))
        for number, instalment in enumerate(plan, start=1):
            rows.instalments.append(
                (self.reference, year.starts, version, number, instalment.due, instalment.pence, instalment.settled)
            )


def _known_periods(actual: list[Segment], event: date, year: FinancialYear) -> list[ChargePeriod]:
    """What the council bills on `event`: what happened before it, and the circumstances then carried on to
    the end of the year (unless the account ended: then only what happened)."""
    periods = [
        ChargePeriod(s.starts, min(s.ends, event - timedelta(days=1)), s.state.occupancy, s.state.exemption)
        for s in actual
        if s.starts < event
    ]
    current = next((s for s in actual if s.starts <= event <= s.ends), None)
    if current is not None:
        periods.append(ChargePeriod(event, year.last_day, current.state.occupancy, current.state.exemption))
    return periods


def write_accounts(world: World, writer: Writer, rng: np.random.Generator, tax: Any) -> None:
    """Every account, with its people, discounts, exemptions, bills, instalments and payments."""
    geography: Geography = world.need("geography")
    population: Population = world.need("population")
    people = _People(population, rng)
    as_of = world.spec.as_of
    cover_first, cover_last = tax.years[0].first_day, tax.years[-1].last_day
    index_of = {uprn: i for i, uprn in enumerate(geography.uprn.tolist())}
    tenures = []
    for tenure in tenures_of(population):
        liability = liability_of(tenure, people)
        if liability and liability[0] <= as_of and (liability[1] is None or liability[1] >= cover_first):
            tenures.append((tenure, liability))
    references = (rng.choice(10_000_000, size=len(tenures), replace=False) + 50_000_000).tolist()
    rows = _Rows()
    for count, ((tenure, (starts, ends)), reference) in enumerate(zip(tenures, references, strict=True)):
        account = _AccountBuilder(str(reference), tenure, starts, ends, people, as_of, rng)
        account.build(geography, index_of[tenure.uprn], tax, (cover_first, cover_last), population, rows)
        if count % 5_000 == 0:
            writer.report("council tax accounts", count, len(tenures))
    writer.report("council tax accounts", len(tenures), len(tenures))
    _write(writer, rows)


class _AccountBuilder:
    def __init__(self, reference: str, tenure: _Tenure, starts: date, ends: date | None, people: _People,
                 as_of: date, rng: np.random.Generator) -> None:  # fmt: skip
        self.reference, self.tenure, self.starts, self.ends = reference, tenure, starts, ends
        self.people, self.as_of = people, as_of
        self.terms = InstalmentTerms(
            months=12 if rng.random() < TWELVE_MONTHS_SHARE else 10,
            day_of_month=1 if rng.random() < 0.6 else int(rng.choice((5, 15, 20, 28))),
        )
        draw = rng.random()
        stops = None
        if draw < ARREARS_SHARE:
            stops = as_of - timedelta(days=int(rng.integers(30, 600)))
        lateness = int(rng.integers(3, 20)) if ARREARS_SHARE <= draw < ARREARS_SHARE + LATE_PAYER_SHARE else 0
        self.payer = (stops, lateness)

    def build(self, geography: Geography, index: int, tax: Any, cover: tuple[date, date], population: Population,
              rows: _Rows) -> None:  # fmt: skip
        ref = self.reference
        rows.accounts.append(
            (ref, self.tenure.uprn, self.starts, self.ends, self.terms.months, self.terms.day_of_month)
        )
        for residence, liable_from in adult_stays(self.tenure, self.people):
            person = residence.person
            name = f"{population.first_name[person]} {population.last_name[person]}"
            left = residence.moved_out - timedelta(days=1) if residence.moved_out else None
            rows.liable.append((ref, name, liable_from, left))
        first = max(self.starts, cover[0])
        last = self.ends if self.ends is not None else cover[1]
        actual = segments(self.tenure, self.people, first, last, self.as_of)
        self._reductions(actual, rows)
        band = Band(geography.band[index])
        parish = tax.parish_of_ward.get(int(geography.ward_index[index]))
        billing = _Billing(ref, self.terms, self.as_of, self.payer)
        for year in tax.years:
            in_year = _clip(actual, year)
            if not in_year:
                continue
            precepts = list(tax.precepts[year.starts])
            if parish is not None:
                precepts.append(tax.parish_precepts[year.starts][parish])
            annual = charge_for_band(precepts, band).total_pence
            billing.bill_year(year, annual, in_year, self.ends, rows)

    def _reductions(self, actual: list[Segment], rows: _Rows) -> None:
        for number, segment in enumerate(actual):
            open_ended = self.ends is None and number == len(actual) - 1
            ends = None if open_ended else segment.ends
            occupancy = segment.state.occupancy
            if segment.state.exemption is not None:
                rows.exemptions.append((self.reference, segment.state.exemption.value, segment.starts, ends))
            elif occupancy.adults and occupancy.counted <= 1:
                kind = "single_person" if occupancy.disregarded == 0 else "disregard"
                rows.discounts.append(
                    (self.reference, kind, occupancy.adults, occupancy.disregarded, segment.starts, ends)
                )


def _clip(actual: list[Segment], year: FinancialYear) -> list[Segment]:
    clipped = []
    for segment in actual:
        starts, ends = max(segment.starts, year.first_day), min(segment.ends, year.last_day)
        if starts <= ends:
            clipped.append(Segment(starts, ends, segment.state))
    return clipped


def _write(writer: Writer, rows: _Rows) -> None:
    writer.insert(Account, ("reference", "uprn", "starts", "ends", "instalment_months", "instalment_day"),
                  rows.accounts)  # fmt: skip
    writer.insert(LiablePerson, ("account_reference", "full_name", "starts", "ends"), rows.liable)
    writer.insert(Discount, ("account_reference", "kind", "adults", "disregarded", "starts", "ends"), rows.discounts)
    writer.insert(Exemption, ("account_reference", "exemption_class", "starts", "ends"), rows.exemptions)
    writer.insert(Bill, ("account_reference", "financial_year", "version", "issued_on", "charge_pence", "reason"),
                  rows.bills)  # fmt: skip
    writer.insert(BillInstalment, ("account_reference", "financial_year", "bill_version", "number", "due", "pence",
                                   "settled"), rows.instalments)  # fmt: skip
    writer.insert(PaymentRow, ("account_reference", "financial_year", "received", "pence", "method"), rows.payments)
