"""Whole numbers as people and clients type them: ids, UPRNs, page numbers, limits."""

from __future__ import annotations

# The largest integer a column holds (PostgreSQL's BIGINT, SQLite's INTEGER). A bigger number must be refused
# before it reaches the database, where it is an overflow error rather than "not found".
MAX_DATABASE_INTEGER = 2**63 - 1
MAX_ID = 2**31 - 1  # an Integer id column: PostgreSQL's INTEGER refuses to even compare with a bigger number
MAX_UPRN = 10**12 - 1  # a UPRN has at most 12 digits


def whole_number(text: str, *, maximum: int = MAX_DATABASE_INTEGER) -> int | None:
    """The number `text` spells in the digits 0-9, or None if it is anything else or more than `maximum`.

    Not `str.isdigit()` then `int()`: isdigit accepts "²" and other Unicode digits, on which int() fails, and
    int() refuses numbers of more than 4,300 digits.
    """
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None
