"""Standardise the fields people are linked on: names, dates of birth, postcodes and addresses.

Every function here is pure. The scalar functions (``standardise_name``, ``parse_date``...) state the rule;
the ``*_column`` functions apply the same rule to a whole pandas column quickly, because an extract can
hold a million rows and most values repeat (surnames, postcodes, streets), so each distinct value is worked
out once.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from townhall.places.postcodes import InvalidPostcode, normalise_postcode

if TYPE_CHECKING:
    import pandas as pd

_NOT_NAME = re.compile(r"[^A-Z ]+")
_SPACES = re.compile(r"\s+")
_APOSTROPHES = re.compile(r"['’`]")
# Titles and suffixes that extracts put in name fields but that say nothing about who the person is.
_NAME_NOISE = frozenset({"MR", "MRS", "MS", "MISS", "MX", "DR", "REV", "SIR", "JR", "SNR", "JNR", "SR"})
_EMPTY_WORDS = frozenset({"", "NULL", "NONE", "NAN", "N/A", "NA", "UNKNOWN", "-"})
# "Na" is a name (Li Na), so in a name field it is not a blank
_EMPTY_NAME_WORDS = _EMPTY_WORDS - {"NA"}
# Letters that Unicode does not decompose into a base letter and an accent, so stripping accents alone would
# lose them (Łukasz would become UKASZ): written as English-language records usually spell them
_OWN_LETTERS = str.maketrans(
    {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Đ": "D", "đ": "d",
     "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th", "ß": "ss", "ı": "i", "Ħ": "H", "ħ": "h"}
)  # fmt: skip


def _is_blank(text: object, blanks: frozenset[str] = _EMPTY_WORDS) -> bool:
    if text is None or (isinstance(text, float) and text != text):  # NaN
        return True
    return str(text).strip().upper() in blanks


def _strip_accents(text: str) -> str:
    if text.isascii():  # nearly every value: nothing to decompose
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_OWN_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def standardise_name(text: object) -> str | None:
    """Upper case ASCII letters and single spaces: " Siân  O'Brien-Smyth " -> "SIAN OBRIEN SMYTH".

    Apostrophes vanish (O'Brien and OBrien are the same name); hyphens become spaces so a double-barrelled
    surname compares equal however it was typed; titles such as MRS or DR are dropped. Blank -> None.
    """
    if _is_blank(text, _EMPTY_NAME_WORDS):
        return None
    upper = _APOSTROPHES.sub("", _strip_accents(str(text)).upper())
    words = [word for word in _SPACES.split(_NOT_NAME.sub(" ", upper)) if word and word not in _NAME_NOISE]
    return " ".join(words) or None


def split_full_name(text: object, order: str = "first_last") -> tuple[str | None, str | None, str | None]:
    """(first, middle, last) names from one field holding a whole name, each standardised.

    ``order`` "first_last": "Mary Anne Smith" -> ("MARY", "ANNE", "SMITH"), and a single word is a first name.
    "last_comma_first": "Smith, Mary Anne" -> the same; without a comma the text is a last name only.
    """
    if order == "last_comma_first":
        if _is_blank(text):
            return None, None, None
        last, comma, given = str(text).partition(",")
        given_name = standardise_name(given) if comma else None
        first, _, middle = given_name.partition(" ") if given_name else (None, "", "")
        return first, middle or None, standardise_name(last)
    full = standardise_name(text)
    if full is None:
        return None, None, None
    words = full.split(" ")
    return words[0], " ".join(words[1:-1]) or None, words[-1] if len(words) > 1 else None


@dataclass(frozen=True, slots=True)
class _Nickname:
    formal: str
    sex: str


@cache
def nickname_table() -> dict[str, tuple[_Nickname, ...]]:
    """Informal name -> the formal names it may stand for, read once from ``data/nicknames.csv``."""
    table: dict[str, list[_Nickname]] = {}
    text = resources.files("townhall.datahub").joinpath("data/nicknames.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    for row in rows:
        nickname, formal = standardise_name(row["nickname"]), standardise_name(row["formal"])
        if nickname and formal:
            table.setdefault(nickname, []).append(_Nickname(formal, row["sex"].strip().upper()))
    return {name: tuple(choices) for name, choices in table.items()}


def canonical_first_name(name: str | None, sex: str | None = None) -> str | None:
    """The formal form of a standardised first name: "BOB" -> "ROBERT", "LIZ" -> "ELIZABETH".

    Where a nickname stands for names of both sexes ("CHRIS"), the person's sex picks the formal name; with
    no sex, the first in the table wins so the answer is still deterministic. Formal names map to themselves.
    """
    if not name:
        return None
    first_word = name.split(" ", 1)[0]
    choices = nickname_table().get(first_word)
    if not choices:
        return first_word
    for choice in choices:
        if choice.sex == sex:
            return choice.formal
    return choices[0].formal


# --- dates -------------------------------------------------------------------------------------------------

# Tried in order when a source does not say which format it uses; day-first, as in the UK.
_COMMON_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y%m%d",
    "%d/%m/%y",
)


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date, or None with the reason a person can act on."""

    value: date | None
    reason: str | None = None


DateFormats = str | Sequence[str] | None  # one strptime pattern, several tried in order, or None: the common ones


def _formats(date_format: DateFormats) -> tuple[str, ...]:
    if isinstance(date_format, str):
        return (date_format,)
    return tuple(date_format) if date_format else ()


def parse_date(text: object, date_format: DateFormats = None) -> ParsedDate:
    """Parse a date written in ``date_format`` (a strptime pattern, or several tried in order), or else any
    common UK format.

    Returns ``ParsedDate(None, None)`` for a blank field (missing is not an error) and
    ``ParsedDate(None, reason)`` for text that is not a date.
    """
    if _is_blank(text):
        return ParsedDate(None)
    if isinstance(text, datetime):
        return ParsedDate(text.date())
    if isinstance(text, date):
        return ParsedDate(text)
    cleaned = _SPACES.sub(" ", str(text).strip())
    formats = _formats(date_format)
    for candidate in formats or _COMMON_DATE_FORMATS:
        try:
            return ParsedDate(datetime.strptime(cleaned, candidate).date())  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    if not formats:
        try:  # ISO date-time text, as a Parquet timestamp is kept: "2011-02-08 00:00:00", "2011-02-08T09:30:00+00:00"
            return ParsedDate(datetime.fromisoformat(cleaned).date())
        except ValueError:
            expected = "a recognised date format"
    else:
        expected = f"the format {formats[0]}" if len(formats) == 1 else f"any of the formats {', '.join(formats)}"
    return ParsedDate(None, f"date '{cleaned}' is not in {expected}")


_OLDEST_AGE = 120


def date_of_birth_problem(value: date, *, today: date, oldest_age: int = _OLDEST_AGE) -> str | None:
    """Why a date of birth cannot be right (in the future, or more than ``oldest_age`` years ago), or None."""
    if value > today:
        return f"date of birth {value.isoformat()} is in the future"
    if today.year - value.year > oldest_age:
        return f"date of birth {value.isoformat()} is more than {oldest_age} years ago"
    return None


# --- postcodes ---------------------------------------------------------------------------------------------


def standardise_postcode(text: object) -> tuple[str | None, str | None]:
    """(canonical postcode, None), (None, None) when blank, or (None, reason) when malformed."""
    if _is_blank(text):
        return None, None
    try:
        return normalise_postcode(str(text)), None
    except InvalidPostcode as error:
        return None, str(error)


# --- addresses ---------------------------------------------------------------------------------------------

_ADDRESS_WORDS = {
    "RD": "ROAD", "ST": "STREET", "AVE": "AVENUE", "AV": "AVENUE", "LN": "LANE", "DR": "DRIVE",
    "CL": "CLOSE", "CRES": "CRESCENT", "CR": "CRESCENT", "CT": "COURT", "GDNS": "GARDENS", "GRN": "GREEN",
    "GR": "GROVE", "GRO": "GROVE", "PL": "PLACE", "SQ": "SQUARE", "TER": "TERRACE", "TERR": "TERRACE",
    "PK": "PARK", "WY": "WAY", "HSE": "HOUSE", "APT": "FLAT", "APARTMENT": "FLAT", "FLT": "FLAT",
    "N": "NORTH", "S": "SOUTH", "E": "EAST", "W": "WEST", "UPR": "UPPER", "LWR": "LOWER", "CTGS": "COTTAGES",
}  # fmt: skip
_NOT_ADDRESS = re.compile(r"[^A-Z0-9 ]+")
_FLAT = re.compile(r"^FLAT (?P<flat>[0-9]+[A-Z]?|[A-Z])\b ?")
_NUMBER = re.compile(r"^(?P<number>[0-9]+[A-Z]?)\b ?")


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """An address line in canonical words, with the flat and house number pulled out when present."""

    text: str
    flat: str | None
    number: str | None


def standardise_address(text: object) -> ParsedAddress | None:
    """Upper case, punctuation removed, abbreviations expanded; "Flat 3, 12a High St." ->
    ParsedAddress("FLAT 3 12A HIGH STREET", flat="3", number="12A"). A trailing postcode is left to the
    postcode column: the caller passes the address line only. Blank -> None.
    """
    line = _address_line(text)
    if line is None:
        return None
    flat_match = _FLAT.match(line)
    flat = flat_match["flat"] if flat_match else None
    rest = line[flat_match.end() :] if flat_match else line
    number_match = _NUMBER.match(rest)
    return ParsedAddress(line, flat, number_match["number"] if number_match else None)


def _address_line(text: object) -> str | None:
    """``standardise_address``'s canonical text alone (no flat or house number), or None when blank."""
    if _is_blank(text):
        return None
    upper = _NOT_ADDRESS.sub(" ", _strip_accents(str(text)).upper())
    raw_words = upper.split()
    words = [_ADDRESS_WORDS.get(word, word) for word in raw_words]
    # "ST" at the start is Saint (St Albans Road), not Street
    if raw_words[:1] == ["ST"]:
        words[0] = "SAINT"
    return " ".join(words)


# --- whole columns -----------------------------------------------------------------------------------------


def name_column(values: pd.Series) -> pd.Series:
    """``standardise_name`` over a column, each distinct value worked out once."""
    return _map_distinct(values, standardise_name)


def full_name_columns(values: pd.Series, order: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``split_full_name`` over a column: (first, middle, last) columns, each distinct value split once."""
    first, middle, last = _columns_by_distinct(values, lambda text: split_full_name(text, order), 3)
    return first, middle, last


def canonical_first_name_column(first_names: pd.Series, sexes: pd.Series) -> pd.Series:
    """``canonical_first_name`` over columns of standardised first names and sexes."""
    import pandas as pd

    pairs = pd.DataFrame({"name": first_names, "sex": sexes}).astype(object)
    distinct = pairs.drop_duplicates().copy()
    distinct["canonical"] = [
        canonical_first_name(name if isinstance(name, str) else None, sex if isinstance(sex, str) else None)
        for name, sex in zip(distinct["name"], distinct["sex"], strict=True)
    ]
    merged = pairs.merge(distinct, on=["name", "sex"], how="left")
    return pd.Series(merged["canonical"].to_numpy(), index=first_names.index, dtype=object)


def postcode_column(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(canonical postcodes, reasons) for a column; a malformed postcode gives None and a reason."""
    return _pairs_by_distinct(values, standardise_postcode)


def address_column(values: pd.Series) -> pd.Series:
    """The canonical address line for a column of free-text addresses."""
    return _map_distinct(values, _address_line)


def sex_column(values: pd.Series, sex_values: Mapping[str, str]) -> tuple[pd.Series, pd.Series]:
    """(sexes, reasons) for a column, by the contract's ``sex_values`` (source value -> "F", "M", or "" for
    "recorded as not known"), matched ignoring case and surrounding spaces. Blank values ("", "Unknown", "N/A"...)
    are missing; any other value the contract does not list gives None and a reason, since it may mean the
    column holds something else."""
    lookup = {key.strip().casefold(): value or None for key, value in sex_values.items()}
    listed = ", ".join(sex_values)

    def read(text: object) -> tuple[str | None, str | None]:
        if _is_blank(text):
            return None, None
        key = str(text).strip().casefold()
        if key in lookup:
            return lookup[key], None
        return None, f"sex '{str(text).strip()}' is not one of the contract's values ({listed})"

    return _pairs_by_distinct(values, read)


def date_fact_problems(values: pd.Series, label: str) -> pd.Series:
    """A reason for each value of a column of dates (a service fact, such as when a tenancy started) that is given
    but is not a date ``parse_date`` reads without a format; None for dates and blanks."""

    def read(value: object) -> tuple[str | None]:
        reason = parse_date(value).reason
        return (f"{label}: {reason}" if reason else None,)

    (reasons,) = _columns_by_distinct(values, read, 1)
    return reasons


_UPRN = re.compile(r"([0-9]{1,12})(?:\.0)?")


def uprn_column(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(UPRNs as digits, reasons) for a column: a UPRN is 1 to 12 digits ("123.0", as a spreadsheet may write it,
    is read as 123); a blank is missing, anything else gives None and a reason."""

    def read(value: object) -> tuple[str | None, str | None]:
        if _is_blank(value):
            return None, None
        text = str(value).strip()
        match = _UPRN.fullmatch(text)
        if match is None:
            return None, f"UPRN '{text}' is not a number of 1 to 12 digits"
        return match[1], None

    return _pairs_by_distinct(values, read)


def _pairs_by_distinct(values: pd.Series, function: Callable[[Any], tuple[Any, ...]]) -> tuple[pd.Series, pd.Series]:
    """``function`` giving (value, reason) over each distinct value once, spread back to every row as two columns."""
    first, second = _columns_by_distinct(values, function, 2)
    return first, second


def _columns_by_distinct(
    values: pd.Series, function: Callable[[Any], tuple[Any, ...]], count: int
) -> tuple[pd.Series, ...]:
    """``function``, giving a tuple of ``count`` results, over each distinct value once (a million rows hold far
    fewer distinct names, postcodes or codes), spread back to every row as ``count`` columns by code."""
    import numpy as np
    import pandas as pd

    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    outcomes = [function(value) for value in distinct] + [function(None)]  # the last for missing values (-1)
    return tuple(
        pd.Series(np.array([outcome[i] for outcome in outcomes], dtype=object)[codes], index=values.index, dtype=object)
        for i in range(count)
    )


def date_column(values: pd.Series, date_format: DateFormats) -> tuple[pd.Series, pd.Series]:
    """(dates, reasons) for a column; an unparseable date gives None and a reason.

    With a known format the distinct values are parsed by pandas in one vectorised call; only the values it
    cannot read (errors, blanks, dates outside pandas' range) go through ``parse_date`` one by one, so the
    result is the same as ``parse_date`` on every value.
    """
    distinct = values.dropna().unique()
    parsed = dict(zip(distinct, _parse_dates_fast(distinct, date_format), strict=True))
    dates = _map_distinct(values, lambda text: parsed[text].value if text in parsed else None)
    reasons = _map_distinct(values, lambda text: parsed[text].reason if text in parsed else None)
    return dates, reasons


def date_of_birth_column(values: pd.Series, date_format: DateFormats, *, today: date) -> tuple[pd.Series, pd.Series]:
    """(ISO dates of birth, reasons) for a column: ``parse_date`` then ``date_of_birth_problem``, each distinct
    value worked out once (a million rows hold some hundreds of thousands of dates), and those pandas can read
    in the source's format checked and written as text in vectorised passes. The rest (unreadable, blank, or
    outside pandas' range) go through the scalar rules one by one, so every value gets what they give."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # missing values get code -1
    distinct = pd.Series(uniques, dtype=object)
    isos = pd.Series(None, index=distinct.index, dtype=object)
    reasons = pd.Series(None, index=distinct.index, dtype=object)
    readable = pd.Series(False, index=distinct.index)
    if _formats(date_format) and len(distinct):
        cleaned = distinct.map(lambda text: _SPACES.sub(" ", str(text).strip()))
        stamps = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ns]")
        for candidate in _formats(date_format):  # each format reads what the ones before it could not
            unread = stamps.isna()
            stamps[unread] = pd.to_datetime(cleaned[unread], format=candidate, errors="coerce", exact=True)
        readable = stamps.notna()
        iso_text = stamps[readable].dt.strftime("%Y-%m-%d")
        isos[readable] = iso_text
        future = stamps[readable] > pd.Timestamp(today)
        too_old = today.year - stamps[readable].dt.year > _OLDEST_AGE
        too_old_reason = "date of birth " + iso_text + f" is more than {_OLDEST_AGE} years ago"
        reasons[readable] = iso_text.where(~too_old, too_old_reason)
        reasons[readable] = reasons[readable].where(~future, "date of birth " + iso_text + " is in the future")
        reasons[readable] = reasons[readable].where(future | too_old, None)
    for position in distinct.index[~readable.to_numpy()]:
        parsed = parse_date(distinct[position], date_format)
        if parsed.value is not None:
            isos[position] = parsed.value.isoformat()
            reasons[position] = date_of_birth_problem(parsed.value, today=today)
        else:
            reasons[position] = parsed.reason
    # one slot more for missing values (code -1), then spread back to every row by code
    iso_slots, reason_slots = np.empty(len(distinct) + 1, dtype=object), np.empty(len(distinct) + 1, dtype=object)
    iso_slots[:-1] = isos.where(isos.notna(), None).to_numpy(dtype=object)
    reason_slots[:-1] = reasons.where(reasons.notna(), None).to_numpy(dtype=object)
    return (
        pd.Series(iso_slots[codes], index=values.index, dtype=object),
        pd.Series(reason_slots[codes], index=values.index, dtype=object),
    )


def _map_distinct(values: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """``function`` over each distinct value once, spread back to every row (missing values give f(None))."""
    import numpy as np
    import pandas as pd

    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    results = np.empty(len(distinct) + 1, dtype=object)
    results[:-1] = [function(value) for value in distinct]
    results[-1] = function(None)  # code -1 (missing) indexes the last slot
    return pd.Series(results[codes], index=values.index, dtype=object)


def _parse_dates_fast(texts: Any, date_format: DateFormats) -> list[ParsedDate]:
    import pandas as pd

    if not isinstance(date_format, str) or len(texts) == 0:  # vectorised for one known format only
        return [parse_date(text, date_format) for text in texts]
    cleaned = pd.Series(texts, dtype=object).map(lambda text: _SPACES.sub(" ", str(text).strip()))
    stamps = pd.to_datetime(cleaned, format=date_format, errors="coerce", exact=True)
    return [
        ParsedDate(stamp.date()) if stamp is not pd.NaT and stamp == stamp else parse_date(text, date_format)
        for text, stamp in zip(texts, stamps, strict=True)
    ]
