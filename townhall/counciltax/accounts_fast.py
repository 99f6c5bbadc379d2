"""The quick way through a good snapshot file: whole columns checked at once, most of it in C (`map`, sets,
`min` and `max`), for the millions of instalments and payments of a borough.

`rows_if_all_good` gives a file's rows only when every value passes; at the first doubt it gives None and the
careful reader in `accounts_files` goes through the file line by line to name each problem. So this path needs
no messages, and it must accept nothing the careful reader would refuse (a test compares the two on a whole
synthetic council). Dates come out as ISO text, as the tables store them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from operator import eq, itemgetter
from typing import cast

from townhall.counciltax.payments import is_money_back, payment_method
from townhall.platform.numbers import MAX_ID, MAX_UPRN

EARLIEST, LATEST = "1993-04-01", "2099-12-31"  # council tax began; ISO text compares as the dates do
_REFERENCE = re.compile(r"5[0-9]{7}")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SETTLED = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False,
           "": False}  # fmt: skip

Column = Sequence[str]
Converter = Callable[[Column], list[object] | None]


def _by_distinct(column: Column, convert: Callable[[str], object | None]) -> list[object] | None:
    """Each value of `column` converted, or None if any converts to None. Each distinct value is converted once
    and the column looked up in C: years, versions, dates and amounts repeat, millions of rows over a few thousand
    values."""
    converted = {value: convert(value) for value in set(column)}
    if None in converted.values():
        return None
    return list(map(converted.__getitem__, column))


def _whole(low: int, high: int) -> Callable[[str], int | None]:
    longest = len(str(high))

    def number(text: str) -> int | None:
        if not (text.isascii() and text.isdigit()) or len(text) > longest:
            return None
        value = int(text)
        return value if low <= value <= high else None

    return number


def _numbers(low: int, high: int) -> Converter:
    number = _whole(low, high)
    return lambda column: _by_distinct(column, number)


def _day(text: str) -> str | None:
    """ISO dates (2026-04-01) that exist, from 1 April 1993 to 2099, as they are."""
    if not _ISO_DAY.fullmatch(text) or not EARLIEST <= text <= LATEST:
        return None
    try:
        date.fromisoformat(text)  # refuses 2026-02-30 and 2026-13-01
    except ValueError:
        return None
    return text


def _signed_pence(column: Column) -> list[object] | None:
    """Whole pence that may be negative ("-11250"): a payment's, where money going back is negative."""
    number = _whole(0, MAX_ID)

    def pence(text: str) -> int | None:
        value = number(text.removeprefix("-"))
        return -value if value is not None and text.startswith("-") else value

    return _by_distinct(column, pence)


def _methods(column: Column) -> list[object] | None:
    """Payment methods, with money going back in its one spelling (`payments.payment_method`)."""
    stripped = list(map(str.strip, column))
    if stripped and max(map(len, stripped)) > 20:
        return None
    return _by_distinct(stripped, payment_method)


def _days(column: Column) -> list[object] | None:
    return _by_distinct(column, _day)


def _days_or_blank(column: Column) -> list[object] | None:
    converted = {value: _day(value) if value else "" for value in set(column)}
    if None in converted.values():
        return None
    return [value or None for value in map(converted.__getitem__, column)]


def _text(longest: int, *, required: bool = False) -> Converter:
    def convert(column: Column) -> list[object] | None:
        stripped = list(map(str.strip, column))
        if (required and not all(stripped)) or (stripped and max(map(len, stripped)) > longest):
            return None
        return list(stripped)

    return convert


def _references(accounts: AbstractSet[str] | None) -> Converter:
    """Account references: in `accounts` (the good ones of accounts.csv), or for accounts.csv itself (None) well
    formed and each once."""

    def convert(column: Column) -> list[object] | None:
        if accounts is None:
            good = all(map(_REFERENCE.fullmatch, column)) and len(set(column)) == len(column)
        else:
            good = set(column) <= accounts
        return list(column) if good else None

    return convert


def _uprns(known: AbstractSet[int]) -> Converter:
    read = _numbers(1, MAX_UPRN)

    def convert(column: Column) -> list[object] | None:
        numbers = read(column)
        return numbers if numbers is not None and set(numbers) <= known else None

    return convert


def _settled(column: Column) -> list[object] | None:
    try:
        return list(map(SETTLED.__getitem__, map(str.lower, column)))
    except KeyError:
        return None


def _defaulted(default: str, convert: Converter) -> Converter:
    return lambda column: convert([value or default for value in column])


def _months(column: Column) -> list[object] | None:
    return [int(value) for value in column] if set(column) <= {"10", "12"} else None


def converters(name: str, accounts: AbstractSet[str], uprns: AbstractSet[int]) -> list[Converter] | None:
    """Each column's converter, for the files this path takes (the big ones); None for the others."""
    reference, year, pence = _references(accounts), _numbers(1993, 2099), _numbers(0, MAX_ID)
    return {
        "accounts.csv": [_references(None), _uprns(uprns), _days, _days_or_blank, _defaulted("10", _months),
                         _defaulted("1", _numbers(1, 28))],
        "liable_people.csv": [reference, _text(200, required=True), _days, _days_or_blank],
        "bills.csv": [reference, year, _numbers(1, 99), _days, pence, _text(100)],
        "instalments.csv": [reference, year, _numbers(1, 99), _numbers(1, 99), _days, pence, _settled],
        "payments.csv": [reference, year, _days, _signed_pence, _methods],
    }.get(name)  # fmt: skip


# Per file: how many leading values are its key (each once), and where its start and end dates are
# (an instalment's key is not here: a bill's instalments must be numbered 1 to n, which `accounts_files` checks)
KEYS = {"accounts.csv": 1, "bills.csv": 3}
PERIODS = {"accounts.csv": (2, 3), "liable_people.csv": (2, 3)}
# Per file: where its signed amount is, and the method that says whether it may be negative (money going back is,
# and only money going back: `payments.MONEY_BACK`)
SIGNED = {"payments.csv": (3, 4)}


def _split(text: str) -> tuple[list[str], list[list[str]] | None]:
    """The header's names, and the rows (None if there is a blank line or a quoted line break). Without a quote
    mark or a carriage return, a line's values are what lies between its commas: str.split, quicker than csv."""
    if '"' in text or "\r" in text:
        reader = csv.reader(io.StringIO(text))
        header = next(reader, [])
        rows: list[list[str]] | None = list(reader)
        if rows is not None and reader.line_num != len(rows) + 1:
            rows = None
    else:
        first, _, body = text.partition("\n")
        header = first.split(",")
        lines = body.removesuffix("\n").split("\n") if body else []
        rows = [line.split(",") for line in lines]
    if rows is not None and not all(map(any, rows)):  # a blank line, or one of commas only
        rows = None
    return [name.strip().lower() for name in header], rows


def _signs_agree(amounts: list[object], methods: list[object]) -> bool:
    """Every amount is negative exactly when its method is money going back (in C: millions of payments)."""
    negative = map((0).__gt__, cast("list[int]", amounts))
    return all(map(eq, negative, map(is_money_back, cast("list[str]", methods))))


def rows_if_all_good(
    name: str, text: str, columns: Sequence[str], convert: Sequence[Converter]
) -> list[tuple[object, ...]] | None:
    """The file's rows, converted, if every line is good, no two share a key (`KEYS`) and no end is before its
    start (`PERIODS`); None at any doubt: a blank line, a quoted line break, a short row, a bad value."""
    header, rows = _split(text.removeprefix("\ufeff"))
    if any(column not in header for column in columns):
        return None
    if not rows:
        return None if rows is None else []
    positions = [header.index(column) for column in columns]
    if min(map(len, rows)) <= max(positions):
        return None
    if positions == list(range(len(columns))):  # the usual header: the columns in order, first
        values = list(zip(*rows, strict=False))[: len(columns)]  # rows may carry more columns
    else:
        values = list(zip(*map(itemgetter(*positions), rows), strict=True))
    converted = []
    for column, converter in zip(values, convert, strict=True):
        result = converter(column)
        if result is None:
            return None
        converted.append(result)
    return _rows_if_they_agree(name, converted)


def _rows_if_they_agree(name: str, converted: list[list[object]]) -> list[tuple[object, ...]] | None:
    """The rows of a file's good columns, if no two share a key (`KEYS`), no end is before its start (`PERIODS`)
    and every amount's sign goes with its method (`SIGNED`); None otherwise."""
    if name in SIGNED and not _signs_agree(*(converted[position] for position in SIGNED[name])):
        return None
    key_length = KEYS.get(name)
    if key_length is not None and len(set(zip(*converted[:key_length], strict=True))) != len(converted[0]):
        return None  # 1 and 01 alike
    found = list(zip(*converted, strict=True))
    if name in PERIODS:
        starts, ends = PERIODS[name]
        if any(row[ends] is not None and row[ends] < row[starts] for row in found):
            return None
    return found
