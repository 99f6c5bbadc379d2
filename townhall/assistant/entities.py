"""The facts a resident's message carries: postcodes, addresses, references, bin streams, bands and dates.

Pure functions of the text and a given `today`, so answers never depend on when the code runs.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from townhall.places.postcodes import find_postcodes

_T = TypeVar("_T")

STREET_TYPES = {
    "road": "Road", "rd": "Road", "street": "Street", "st": "Street", "lane": "Lane", "ln": "Lane",
    "avenue": "Avenue", "ave": "Avenue", "close": "Close", "cl": "Close", "drive": "Drive", "dr": "Drive",
    "way": "Way", "crescent": "Crescent", "cres": "Crescent", "place": "Place", "pl": "Place",
    "grove": "Grove", "gardens": "Gardens", "gdns": "Gardens", "court": "Court", "ct": "Court",
    "terrace": "Terrace", "tce": "Terrace", "hill": "Hill", "row": "Row", "walk": "Walk", "mews": "Mews",
    "square": "Square", "sq": "Square", "parade": "Parade", "rise": "Rise", "green": "Green", "park": "Park",
}  # fmt: skip
# Words that cannot be part of a street name, so "2 bins on high street" is not "2 Bins On High Street".
_NOT_STREET_WORDS = (
    "a|an|the|on|in|at|to|of|for|and|or|my|our|your|is|are|was|were|bin|bins|bags?|boxes|box|days?|weeks?"
    "|years?|times?|kids|children|people|cars?|from|by|near|outside|opposite|behind|next|with|since|it|i|we"
)
_STREET_WORD = rf"(?!(?:{_NOT_STREET_WORDS})\b)[a-z][a-z']*"
_ADDRESS = re.compile(
    rf"(?:\b(?P<unit>flat|apartment|apt|unit)\s*(?P<unit_number>\d+[a-z]?)\s*,?\s*)?"
    rf"(?:\bno\.?\s*)?\b(?P<number>\d{{1,4}}[a-z]?)\b,?\s+"
    rf"(?P<name>(?:{_STREET_WORD}\s+){{1,3}}?)(?P<type>{'|'.join(STREET_TYPES)})\b\.?",
    re.IGNORECASE,
)
_REQUEST_REFERENCE = re.compile(r"\bSR[-\s]?(\d{8})\b", re.IGNORECASE)
# Council tax accounts are 8 digits starting with 5; the look-arounds reject digits that are part of a longer
# run or of a phone number written in groups ("0161 5123 4567" or "01632 51234567").
_ACCOUNT_REFERENCE = re.compile(r"(?<![\d+])(?<!\d[\s-])(5\d{7})(?![\d])(?![\s-]\d)")
# "band is D" needs the capital, or the end of the sentence, so "the band is a problem" is not band A.
_BAND = re.compile(
    r"(?i:\bband\s+)([a-hA-H])\b(?!')"
    r"|(?i:\bband\s+is\s+)([A-H])\b"
    r"|(?i:\bband\s+is\s+)([a-h])\s*(?:[?.!,]|$)"
)
_CONTAINER_WORDS = re.compile(r"\b(bins?|box(es)?|bags?|caddy|caddies|wheelie|lids?|collection|waste)\b", re.I)
_STREAMS = (
    ("refuse", re.compile(r"\b(black|gr[ae]y|general waste|rubbish bin|refuse)\b", re.I)),
    ("recycling", re.compile(r"\b(blue|recycl\w*|recyling)\b", re.I)),
    ("garden", re.compile(r"\b(green|brown|garden waste|garden bin)\b", re.I)),
    ("food", re.compile(r"\b(food caddy|food waste|food bin|caddy|caddies)\b", re.I)),
)
WEEKDAYS = {name.lower(): index for index, name in enumerate(calendar.day_name)}
WEEKDAYS |= {name[:3].lower(): index for name, index in list(WEEKDAYS.items())}
MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
MONTHS |= {name[:3].lower(): index for name, index in list(MONTHS.items())} | {"sept": 9}
_WEEKDAY_WORDS = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_DATE_PATTERNS = (
    ("relative", re.compile(r"\b(today|tonight|tomorrow|tmrw|tomoz|yesterday)\b", re.I)),
    ("weekday", re.compile(rf"\b(?:(next|this|last|on)\s+)?({_WEEKDAY_WORDS})\b", re.I)),
    ("day_month", re.compile(rf"\b{_ORDINAL}(?:\s+of)?\s+({_MONTH_WORDS})\b(?:\s+(\d{{4}}))?", re.I)),
    ("month_day", re.compile(rf"\b({_MONTH_WORDS})\s+{_ORDINAL}\b(?:,?\s+(\d{{4}}))?", re.I)),
    ("numeric", re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])")),
    (
        "ordinal",
        re.compile(r"\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?[a-z]*(?:" + _MONTH_WORDS + r"))", re.I),
    ),
)


@dataclass(frozen=True, slots=True)
class Address:
    house_number: str
    street: str
    flat: str | None = None

    def __str__(self) -> str:
        start = f"Flat {self.flat}, " if self.flat else ""
        return f"{start}{self.house_number} {self.street}"


@dataclass(frozen=True, slots=True)
class Entities:
    postcodes: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    request_references: tuple[str, ...] = ()
    account_references: tuple[str, ...] = ()
    bin_streams: tuple[str, ...] = ()
    council_tax_bands: tuple[str, ...] = ()
    dates: tuple[date, ...] = ()


def extract_entities(text: str, *, today: date) -> Entities:
    """Everything recognised in `text`, each kind in the order it appears; dates resolved from `today`."""
    return Entities(
        postcodes=tuple(find_postcodes(text)),
        addresses=find_addresses(text),
        request_references=find_request_references(text),
        account_references=find_account_references(text),
        bin_streams=find_bin_streams(text),
        council_tax_bands=find_bands(text),
        dates=find_dates(text, today=today),
    )


def find_addresses(text: str) -> tuple[Address, ...]:
    """House number and street ("12 high st" -> 12 High Street), with a flat number when one comes first."""
    found = []
    for match in _ADDRESS.finditer(text):
        words = [word.capitalize() for word in match["name"].split()]
        street = " ".join([*words, STREET_TYPES[match["type"].lower()]])
        found.append(Address(match["number"].upper(), street, match["unit_number"]))
    return tuple(found)


def words_besides_addresses(text: str) -> int:
    """How many words a message has beside the addresses and postcodes in it: "I live at 1 George Close" has 3."""
    remaining = _ADDRESS.sub(" ", text)
    for postcode in find_postcodes(text):
        remaining = remaining.upper().replace(postcode, " ").replace(postcode.replace(" ", ""), " ")
    return len(re.findall(r"[a-z']+", remaining, re.I))


def find_request_references(text: str) -> tuple[str, ...]:
    """Service request references in canonical form: "sr 00012345" -> "SR-00012345"."""
    return _unique(f"SR-{digits}" for digits in _REQUEST_REFERENCE.findall(text))


def find_account_references(text: str) -> tuple[str, ...]:
    """Council tax account references: 8 digits starting with 5, standing alone (not in a phone number)."""
    without_requests = _REQUEST_REFERENCE.sub(" ", text)
    return _unique(_ACCOUNT_REFERENCE.findall(without_requests))


def find_bin_streams(text: str) -> tuple[str, ...]:
    """Waste streams named by colour or by kind; colours count only when the message is about bins."""
    if not _CONTAINER_WORDS.search(text) and not re.search(r"recycl|refuse", text, re.I):
        return ()
    positioned = []
    for stream, pattern in _STREAMS:
        match = pattern.search(text)
        if match:
            positioned.append((match.start(), stream))
    return tuple(stream for _, stream in sorted(positioned))


def find_bands(text: str) -> tuple[str, ...]:
    """Council tax band letters, upper case: "band c" and "what band is D" -> ("C",) and ("D",)."""
    return _unique("".join(groups).upper() for groups in _BAND.findall(text))


def find_dates(text: str, *, today: date) -> tuple[date, ...]:
    """Dates in the order they are written, resolved relative to `today` (see docs/assistant-engine.md)."""
    found: list[tuple[int, date]] = []
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            resolved = _resolve(kind, match, today)
            if resolved is not None:
                found.append((match.start(), resolved))
    return _unique(day for _, day in sorted(found, key=lambda item: item[0]))


def _resolve(kind: str, match: re.Match[str], today: date) -> date | None:
    if kind == "relative":
        word = match[1].lower()
        offsets = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tomoz": 1, "yesterday": -1}
        return today + timedelta(days=offsets[word])
    if kind == "weekday":
        return _weekday(today, WEEKDAYS[match[2].lower()], (match[1] or "").lower())
    if kind == "day_month":
        return _day_month(today, int(match[1]), MONTHS[match[2].lower()], match[3])
    if kind == "month_day":
        return _day_month(today, int(match[2]), MONTHS[match[1].lower()], match[3])
    if kind == "numeric":
        return _day_month(today, int(match[1]), int(match[2]), match[3])
    return _nearest_day_of_month(today, int(match[1]))


def _weekday(today: date, weekday: int, qualifier: str) -> date:
    """A named day is the next one after today ("tuesday", "next tuesday"), or the one before with "last"."""
    if qualifier == "last":
        return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _day_month(today: date, day: int, month: int, year_text: str | None) -> date | None:
    """UK order (day first). Without a year, the year that puts the date nearest to today."""
    if year_text:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        return _safe_date(year, month, day)
    candidates = [_safe_date(today.year + shift, month, day) for shift in (-1, 0, 1)]
    return _nearest(today, [c for c in candidates if c is not None])


def _nearest_day_of_month(today: date, day: int) -> date | None:
    """ "on the 3rd": that day in this, the last or the next month, whichever is nearest to today."""
    candidates = []
    for shift in (-1, 0, 1):
        year, month = divmod(today.year * 12 + today.month - 1 + shift, 12)
        candidates.append(_safe_date(year, month + 1, day))
    return _nearest(today, [c for c in candidates if c is not None])


def _nearest(today: date, candidates: list[date]) -> date | None:
    # Ties (a date exactly as far behind as ahead) go to the future: residents ask ahead more than back.
    return min(candidates, key=lambda day: (abs((day - today).days), day < today), default=None)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _unique(items: Iterable[_T]) -> tuple[_T, ...]:
    """The items without repeats, first occurrence kept."""
    return tuple(dict.fromkeys(items))
