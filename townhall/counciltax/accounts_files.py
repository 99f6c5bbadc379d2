"""Reading a council's own extract of its council tax accounts: seven CSV files, one snapshot, checked whole.

Each reader names every bad line ("bills.csv, line 7: ..."); `read_snapshot` then checks the files against each
other (every child row's account is in accounts.csv, every instalment's bill is in bills.csv, a bill's
instalments run 1, 2, 3... and add up to its charge). Nothing here touches the database: the caller passes the
gazetteer's UPRNs, and `accounts_import` loads what this returns.

The big files usually go the quick way (`accounts_fast`: whole columns at once); a file with any doubt comes back
here to be read line by line.

Money is whole pence ("176894" is £1,768.94), as the tables hold it: never pounds, never a float; negative only
for a payment going back to the resident (a refund, a returned payment: `payments.MONEY_BACK`), which may give
back no more than was paid towards its year by then. Dates are 2026-04-01 (or 01/04/2026). Problems never quote a
liable person's name: the messages reach terminals and logs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import itemgetter

from townhall.counciltax.accounts_fast import SETTLED, converters, rows_if_all_good
from townhall.counciltax.billing import ExemptionClass, FinancialYear
from townhall.counciltax.payments import MONEY_BACK_NAMES, is_money_back, payment_method
from townhall.platform.csv_files import FileProblems, csv_rows
from townhall.platform.numbers import MAX_ID, MAX_UPRN, whole_number

# The files of a snapshot, and the columns each needs (other columns are ignored: exports often carry more)
COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts.csv": ("reference", "uprn", "starts", "ends", "instalment_months", "instalment_day"),
    "liable_people.csv": ("reference", "full_name", "starts", "ends"),
    "discounts.csv": ("reference", "kind", "adults", "disregarded", "starts", "ends"),
    "exemptions.csv": ("reference", "class", "starts", "ends"),
    "bills.csv": ("reference", "financial_year", "version", "issued_on", "charge_pence", "reason"),
    "instalments.csv": ("reference", "financial_year", "bill_version", "number", "due", "pence", "settled"),
    "payments.csv": ("reference", "financial_year", "received", "pence", "method"),
}
FILES = tuple(COLUMNS)
COUNCIL_TAX_BEGAN = date(1993, 4, 1)  # no council tax date is earlier
LATEST_DAY = date(2099, 12, 31)
DISCOUNT_KINDS = ("single_person", "disregard")
MAX_NAME, MAX_REASON, MAX_METHOD = 200, 100, 20  # the tables' column widths


@dataclass
class Snapshot:
    """The rows of each table, as tuples in the order of `accounts_import`'s bulk inserts; dates as ISO text."""

    accounts: list[tuple[str, int, str, str | None, int, int]] = field(default_factory=list)
    liable_people: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    discounts: list[tuple[str, str, int, int, str, str | None]] = field(default_factory=list)
    exemptions: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    bills: list[tuple[str, int, int, str, int, str]] = field(default_factory=list)
    instalments: list[tuple[str, int, int, int, str, int, bool]] = field(default_factory=list)
    payments: list[tuple[str, int, str, int, str]] = field(default_factory=list)


class _Checker:
    """Reads fields of one line, keeping a problem (without the value, for names) for each field that is wrong."""

    def __init__(self, accounts: Collection[str], uprns: Collection[int]) -> None:
        self.accounts = accounts  # every reference accounts.csv names, good or bad: no knock-on problems
        self.uprns = uprns
        self.problems: list[str] = []

    def reference(self, text: str, *, known: bool = True) -> str | None:
        if not (len(text) == 8 and text.isascii() and text.isdigit() and text[0] == "5"):
            self.problems.append(f"the reference '{text[:20]}' is not 8 digits beginning with 5")
            return None
        if known and text not in self.accounts:
            self.problems.append(f"there is no account {text} in accounts.csv")
            return None
        return text

    def day(self, text: str, label: str, *, blank_ok: bool = False) -> date | None:
        if not text:
            if not blank_ok:
                self.problems.append(f"the {label} is empty")
            return None
        try:
            if "/" in text:
                day_text, month_text, year_text = text.split("/")
                day = date(int(year_text), int(month_text), int(day_text))
            else:
                day = date.fromisoformat(text)
        except ValueError:
            self.problems.append(f"the {label} '{text[:20]}' is not a date: write it like 2026-04-01")
            return None
        if not COUNCIL_TAX_BEGAN <= day <= LATEST_DAY:
            self.problems.append(f"the {label}, {day}, is not from 1 April 1993 (when council tax began) to 2099")
            return None
        return day

    def period(self, starts_text: str, ends_text: str) -> tuple[date | None, date | None]:
        starts = self.day(starts_text, "start date")
        ends = self.day(ends_text, "end date", blank_ok=True)
        if starts is not None and ends is not None and ends < starts:
            self.problems.append(f"the end date, {ends}, is before the start date, {starts}")
        return starts, ends

    def number(self, text: str, label: str, low: int, high: int) -> int | None:
        number = whole_number(text, maximum=MAX_ID)
        if number is None or not low <= number <= high:
            self.problems.append(f"the {label} '{text[:20]}' is not a whole number from {low} to {high}")
            return None
        return number

    def pence(self, text: str, label: str) -> int | None:
        number = whole_number(text, maximum=MAX_ID)
        if number is None:
            self.problems.append(f"the {label} '{text[:20]}' is not whole pence (a whole number, 0 or more, no "
                                 "pounds sign or decimal point: £12.34 is 1234)")  # fmt: skip
        return number

    def signed_pence(self, text: str, label: str) -> int | None:
        """A payment's pence: negative for money going back to the resident ("-1234"), which `payment` checks."""
        number = whole_number(text.removeprefix("-"), maximum=MAX_ID)
        if number is None:
            self.problems.append(f"the {label} '{text[:20]}' is not whole pence (a whole number, no pounds sign "
                                 "or decimal point: £12.34 is 1234, and a refund of £12.34 is -1234)")  # fmt: skip
            return None
        return -number if text.startswith("-") else number

    def payment(self, pence: int | None, pence_text: str, method: str) -> None:
        """Money going back (a refund, a returned payment) is negative, and only money going back is."""
        if pence is None:
            return
        if pence < 0 and not is_money_back(method):
            self.problems.append(
                f"the pence '{pence_text[:20]}' is negative, but the method '{method[:20]}' is a payment in: only "
                f"money going back to the resident may be negative, with the method {MONEY_BACK_NAMES}"
            )
        elif pence >= 0 and is_money_back(method):
            self.problems.append(
                f"a {method} is money going back to the resident, so its pence is negative (-{pence or 1234}), "
                f"not '{pence_text[:20]}'"
            )

    def text(self, text: str, label: str, longest: int, *, required: bool = False) -> str:
        if required and not text:
            self.problems.append(f"the {label} is empty")
        elif len(text) > longest:
            self.problems.append(f"the {label} is longer than {longest} characters")
        return text

    def year(self, text: str, label: str = "financial_year") -> int | None:
        return self.number(text, label, COUNCIL_TAX_BEGAN.year, LATEST_DAY.year)


Reader = Callable[[_Checker, list[str]], tuple[object, ...] | None]


def _account(check: _Checker, values: list[str]) -> tuple[object, ...] | None:
    reference_text, uprn_text, starts_text, ends_text, months_text, day_text = values
    reference = check.reference(reference_text, known=False)
    uprn = whole_number(uprn_text, maximum=MAX_UPRN)
    if uprn is None or uprn == 0:
        check.problems.append(f"the UPRN '{uprn_text[:20]}' is not a number of 1 to 12 digits")
    elif uprn not in check.uprns:
        check.problems.append(f"there is no property with UPRN {uprn} in the gazetteer")
    starts, ends = check.period(starts_text, ends_text)
    months = whole_number(months_text) if months_text else 10
    if months not in (10, 12):
        check.problems.append(f"the instalment_months '{months_text[:20]}' is not 10 or 12")
    day = check.number(day_text, "instalment_day", 1, 28) if day_text else 1
    if check.problems or reference is None or uprn is None or starts is None or months is None or day is None:
        return None
    return (reference, uprn, starts, ends, months, day)


def _liable_person(check: _Checker, values: list[str]) -> tuple[object, ...] | None:
    reference = check.reference(values[0])
    name = check.text(values[1], "full_name", MAX_NAME, required=True)
    starts, ends = check.period(values[2], values[3])
    if check.problems or reference is None or starts is None:
        return None
    return (reference, name, starts, ends)


def _discount(check: _Checker, values: list[str]) -> tuple[object, ...] | None:
    reference_text, kind, adults_text, disregarded_text, starts_text, ends_text = values
    reference = check.reference(reference_text)
    if kind not in DISCOUNT_KINDS:
        check.problems.append(f"the kind '{kind[:20]}' is not single_person or disregard")
    adults = check.number(adults_text, "adults", 1, 99)
    disregarded = check.number(disregarded_text, "disregarded", 0, 99)
    if adults is not None and disregarded is not None:
        if disregarded > adults:
            check.problems.append(f"{disregarded} adults are disregarded of only {adults}")
        elif adults - disregarded > 1:
            check.problems.append(f"{adults - disregarded} adults are counted, which gives no discount")
        elif (kind == "single_person") != (disregarded == 0):
            check.problems.append("the kind is single_person exactly when no adult is disregarded")
    starts, ends = check.period(starts_text, ends_text)
    if check.problems or reference is None or starts is None:
        return None
    return (reference, kind, adults, disregarded, starts, ends)


def _exemption(check: _Checker, values: list[str]) -> tuple[object, ...] | None:
    reference = check.reference(values[0])
    exemption_class = values[1].upper()
    if exemption_class not in ExemptionClass.__members__:
        classes = ", ".join(ExemptionClass.__members__)
        check.problems.append(f"the class '{values[1][:20]}' is not an exemption class ({classes})")
    starts, ends = check.period(values[2], values[3])
    if check.problems or reference is None or starts is None:
        return None
    return (reference, exemption_class, starts, ends)


def _bill(check: _Checker, values: list[str]) -> tuple[object, ...] | None:
    reference_text, year_text, version_text, issued_text, charge_text, reason = values
    reference = check.reference(reference_text)
    year = check.year(year_text)
    version = check.number(version_text, "version", 1, 99)
    issued = check.day(issued_text, "issued_on date")
    charge = check.pence(charge_text, "charge_pence")
    check.text(reason, "reason", MAX_REASON)
    if check.problems:
        return None
    return (reference, year, version, issued, charge, reason)


def _instalment(check: _Checker, values: list[str]) -> tuple[object, ...] | None:
    reference_text, year_text, version_text, number_text, due_text, pence_text, settled_text = values
    reference = check.reference(reference_text)
    year = check.year(year_text)
    version = check.number(version_text, "bill_version", 1, 99)
    number = check.number(number_text, "number", 1, 99)
    due = check.day(due_text, "due date")
    pence = check.pence(pence_text, "pence")
    settled = SETTLED.get(settled_text.lower())
    if settled is None:
        check.problems.append(f"settled '{settled_text[:20]}' is not true or false (or yes or no, 1 or 0)")
    if check.problems:
        return None
    return (reference, year, version, number, due, pence, settled)


def _payment(check: _Checker, values: list[str]) -> tuple[object, ...] | None:
    reference_text, year_text, received_text, pence_text, method = values
    reference = check.reference(reference_text)
    year = check.year(year_text)
    received = check.day(received_text, "received date")
    pence = check.signed_pence(pence_text, "pence")
    method = payment_method(check.text(method, "method", MAX_METHOD))
    check.payment(pence, pence_text, method)
    if check.problems:
        return None
    return (reference, year, received, pence, method)


# Each file's reader, its rows' key (a second row with the same key is refused) and the words for that key
_READERS: dict[str, tuple[Reader, Callable[[tuple[object, ...]], tuple[object, ...]] | None, str]] = {
    "accounts.csv": (_account, lambda row: row[:1], "account"),
    "liable_people.csv": (_liable_person, None, ""),  # a father and son of the same name can share a liability
    "discounts.csv": (_discount, lambda row: (row[0], row[4]), "discount with that start date"),
    "exemptions.csv": (_exemption, lambda row: (row[0], row[2]), "exemption with that start date"),
    "bills.csv": (_bill, lambda row: row[:3], "bill of that year and version"),
    "instalments.csv": (_instalment, lambda row: row[:4], "instalment of that bill and number"),
    "payments.csv": (_payment, None, ""),  # two payments alike on one day can both be real, as can two people
}


def _references_in(text: str) -> set[str]:
    """Every reference accounts.csv names, so that a child of a bad account line is not refused a second time."""
    try:
        return {values[0] for _, values in csv_rows(text, COLUMNS["accounts.csv"])}
    except FileProblems:
        return set()


def _read_file(
    name: str, text: str, known: tuple[Collection[str], Collection[int]], snapshot: Snapshot, problems: list[str]
) -> dict[tuple[object, ...], int]:
    """Append the file's good rows to the snapshot and a problem for each bad line; its rows' keys -> lines."""
    reader, key_of, key_words = _READERS[name]
    rows: list[tuple[object, ...]] = getattr(snapshot, name.removesuffix(".csv"))
    seen: dict[tuple[object, ...], int] = {}
    try:
        for line, values in csv_rows(text, COLUMNS[name]):
            check = _Checker(*known)
            row = reader(check, values)
            if row is not None and key_of is not None:
                key = key_of(row)
                if key in seen:
                    check.problems.append(f"the same {key_words} of account {row[0]} is already on line {seen[key]}")
                    row = None
                else:
                    seen[key] = line
            if row is not None:
                rows.append(tuple(value.isoformat() if isinstance(value, date) else value for value in row))
            problems.extend(f"{name}, line {line}: {problem[:1].upper()}{problem[1:]}" for problem in check.problems)
    except FileProblems as error:
        problems.extend(f"{name}: {problem}" for problem in error.problems)
    return seen


def read_snapshot(texts: Mapping[str, str], *, uprns: AbstractSet[int]) -> Snapshot:
    """Every file of a snapshot (`FILES`, by name) checked, alone and against the others and the gazetteer's
    `uprns`; FileProblems naming every bad line, a missing column, or an accounts file with no account."""
    missing = [name for name in FILES if name not in texts]
    if missing:
        raise FileProblems([f"The folder has no {name}: a snapshot needs all seven files (an empty one is its "
                            "header row alone)" for name in missing])  # fmt: skip
    named = _references_in(texts["accounts.csv"])
    snapshot = Snapshot()
    problems: list[str] = []
    bill_lines: dict[tuple[object, ...], int] | None = None
    good: set[str] = set()
    for name in FILES:
        convert = None if problems else converters(name, good, uprns)
        rows = rows_if_all_good(name, texts[name], COLUMNS[name], convert) if convert is not None else None
        if rows is not None:  # every line good: no line numbers needed, except a bill's if its plan is wrong
            getattr(snapshot, name.removesuffix(".csv")).extend(rows)
        else:
            lines = _read_file(name, texts[name], (named, uprns), snapshot, problems)
            bill_lines = lines if name == "bills.csv" else bill_lines
        if name == "accounts.csv":
            good = {row[0] for row in snapshot.accounts}
    if not problems:
        lines = bill_lines or {tuple(row[:3]): index for index, row in enumerate(snapshot.bills, start=2)}
        problems = _bill_problems(snapshot, lines)
        if problems:  # with an instalment twice, say so by line (a quick read would not have)
            scratch: list[str] = []
            _read_file("instalments.csv", texts["instalments.csv"], (named, uprns), Snapshot(), scratch)
            problems = scratch + problems
    if not problems:
        problems = _money_back_problems(snapshot.payments, texts["payments.csv"])
    if not snapshot.accounts and not problems:
        problems.append(
            "accounts.csv has no accounts in it, only its header: a snapshot replaces every account, so an empty "
            "one is refused (it is far likelier a failed export than every account closed)"
        )
    if problems:
        raise FileProblems(problems)
    return snapshot


def _totals_in_order(instalments: list[tuple[str, int, int, int, str, int, bool]]) -> dict[tuple[object, ...], int]:
    """Each bill's instalments added up, in one pass, if the file lists each bill's instalments together in order
    1, 2, 3... (as exports do); an empty answer otherwise."""
    totals: dict[tuple[object, ...], int] = {}
    previous: tuple[object, ...] = ()
    count = 0
    for reference, year, version, number, _due, pence, _settled in instalments:
        bill = (reference, year, version)
        if bill == previous and number == count + 1:
            totals[bill] += pence
        elif number == 1 and bill not in totals:
            totals[bill], previous = pence, bill
        else:
            return {}
        count = number
    return totals


def _bill_problems(snapshot: Snapshot, bill_lines: Mapping[tuple[object, ...], int]) -> list[str]:
    """Each bill whose instalments do not run 1, 2, 3... or do not add up to its charge, and each instalment of
    a bill bills.csv does not have."""
    totals = _totals_in_order(snapshot.instalments)
    if totals or not snapshot.instalments:
        charges = {(reference, year, version): charge for reference, year, version, _, charge, _ in snapshot.bills}
        if totals.keys() <= charges.keys() and all(totals.get(bill, 0) == charge for bill, charge in charges.items()):
            return []
    plans: dict[tuple[object, ...], list[tuple[int, int]]] = defaultdict(list)
    for reference, year, version, number, _due, pence, _settled in snapshot.instalments:
        plans[(reference, year, version)].append((number, pence))
    problems = []
    for reference, year, version, _issued, charge, _reason in snapshot.bills:
        plan = sorted(plans.pop((reference, year, version), []))
        line = bill_lines[(reference, year, version)]
        where = f"bills.csv, line {line}: Account {reference}'s bill for {year}, version {version},"
        if plan and [number for number, _ in plan] != list(range(1, len(plan) + 1)):
            numbers = ", ".join(str(number) for number, _ in plan[:12])
            problems.append(f"{where} has instalments numbered {numbers}, not 1 to {len(plan)}")
        total = sum(pence for _, pence in plan)
        if total != charge:
            problems.append(f"{where} is {charge} pence, but its {len(plan)} instalments add up to {total} pence")
    problems += [f"instalments.csv: Account {reference} has instalments of a bill for {year}, version {version}, "
                 "that is not in bills.csv" for reference, year, version in plans]  # fmt: skip
    return problems


def _first_overdrawn(payments: list[tuple[str, int, str, int, str]]) -> list[tuple[int, int]]:
    """(row, pence paid just before it) for the first refund or returned payment of an account's year that gives
    back more than had been paid towards that year by then; rows in file order."""
    # found in C (map, compress): a borough has millions of payments, a few thousand accounts with money going back
    account_year = itemgetter(0, 1)
    money_back = list(compress(payments, map((0).__gt__, map(itemgetter(3), payments))))
    references, years = set(map(itemgetter(0), money_back)), set(map(account_year, money_back))
    rows_of: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index in compress(range(len(payments)), map(references.__contains__, map(itemgetter(0), payments))):
        key = account_year(payments[index])
        if key in years:
            rows_of[key].append(index)
    found = []
    for indexes in rows_of.values():
        paid = 0
        # by date, money in before money back on the same day: a direct debit can be returned the day it is taken
        for index in sorted(indexes, key=lambda i: (payments[i][2], payments[i][3] < 0)):
            if paid + payments[index][3] < 0:
                found.append((index, paid))
                break  # the year's later refunds follow from this one: one problem to fix, not several
            paid += payments[index][3]
    return sorted(found)


def _money_back_problems(payments: list[tuple[str, int, str, int, str]], text: str) -> list[str]:
    """Each account's year where a refund or a returned payment gives back more than was paid towards it by then
    (which would leave "paid so far" below nothing), named by its line."""
    found = _first_overdrawn(payments)
    if not found:
        return []
    lines = [line for line, _ in csv_rows(text, COLUMNS["payments.csv"])]  # every row was good: row i is lines[i]
    problems = []
    for index, paid in found:
        reference, year, received, pence, method = payments[index]
        problems.append(
            f"payments.csv, line {lines[index]}: Account {reference}'s {method} of {-pence} pence on {received} is "
            f"more than was paid towards {FinancialYear(year).label} by then ({paid} pence): money going back must "
            "have been paid towards the same year first. Is its financial_year, date or amount wrong?"
        )
    return problems
