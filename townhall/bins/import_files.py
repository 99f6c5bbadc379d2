"""Reading a council's own bin files: its waste streams, its rounds, the rounds serving each property and its
garden waste subscriptions, as its round-management system exports them.

Each reader checks the whole file and names every problem with its line ("Line 7: ..."), against what the
database already knows (the gazetteer's UPRNs, the streams, the rounds), which the caller passes in. Nothing here
touches the database: `imports` loads what these return.

```csv
round,stream,weekday,frequency_weeks,reference_date       # rounds.csv
W01-mon-refuse-A,refuse,Monday,2,2024-01-01
uprn,round                                                 # properties.csv: one row per round serving a property
100090000001,W01-mon-refuse-A
uprn,starts,ends,bins                                      # garden.csv: ends blank while the subscription runs
100090000001,2026-03-01,,1
```
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from townhall.bins.changes import ChangeProblems, day_from_text, long_date
from townhall.bins.schedule import StreamCode
from townhall.bins.service import EARLIEST_DAY, LATEST_DAY
from townhall.platform.csv_files import FileProblems, csv_rows
from townhall.platform.numbers import MAX_UPRN, whole_number

STREAM_COLUMNS = ("code", "name", "colour", "accepts")
ROUND_COLUMNS = ("round", "stream", "weekday", "frequency_weeks", "reference_date")
PROPERTY_COLUMNS = ("uprn", "round")
GARDEN_COLUMNS = ("uprn", "starts", "ends", "bins")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FREQUENCIES = (1, 2, 4)
MAX_ROUND_ID = 40  # bin_rounds.id
MAX_STREAM_TEXT = 60  # bin_streams.name and .colour
MAX_GARDEN_BINS = 9


@dataclass(frozen=True, slots=True)
class StreamRow:
    code: str
    name: str
    colour: str
    accepts: str


@dataclass(frozen=True, slots=True)
class RoundRow:
    id: str
    stream_code: str
    weekday: int
    frequency_weeks: int
    reference_date: date


PropertyRow = tuple[int, str]  # uprn, round id: the order of property_bin_rounds' bulk insert
GardenRow = tuple[int, date, date | None, int]  # uprn, starts, ends, bins


def _at(where: str, problem: str) -> str:
    """ "Line 4: The weekday ...": a problem with its place, as a sentence."""
    return f"{where}: {problem[:1].upper()}{problem[1:]}"


def _no_rows(what: str) -> FileProblems:
    return FileProblems([f"The file has no {what} in it, only its header: a file replaces them all, so an empty "
                         "one is refused"])  # fmt: skip


def _day(text: str, label: str) -> tuple[date | None, str | None]:
    try:
        day = day_from_text(text, field=label, label=label)
    except ChangeProblems as error:
        return None, error.problems[0][1]
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        return None, f"The {label} must be from {EARLIEST_DAY.year} to {LATEST_DAY.year}, not {day}"
    return day, None


def _uprn(text: str, known: Collection[int]) -> tuple[int | None, str | None]:
    uprn = whole_number(text, maximum=MAX_UPRN)
    if uprn is None or uprn == 0:
        return None, f"The UPRN '{text[:20]}' is not a number of 1 to 12 digits"
    if uprn not in known:
        return None, f"There is no property with UPRN {uprn} in the gazetteer"
    return uprn, None


# --- streams ----------------------------------------------------------------------------------------------------


def streams_from_text(text: str, *, toml: bool) -> list[StreamRow]:
    """The streams in a TOML file (`[[stream]]` tables) or a CSV file (`STREAM_COLUMNS`); FileProblems naming
    each one wrong."""
    if toml:
        found = list(_toml_streams(text))
    else:
        found = [(f"Line {line}", dict(zip(STREAM_COLUMNS, values, strict=True)))
                 for line, values in csv_rows(text, STREAM_COLUMNS)]  # fmt: skip
    if not found:
        raise _no_rows("streams")
    streams: list[StreamRow] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for where, values in found:
        found_problems = _stream_problems(values)
        code = values.get("code", "")
        if not found_problems and code in seen:
            found_problems = [f"the stream '{code}' is already in {seen[code].lower()}"]
        seen.setdefault(code, where)
        problems.extend(_at(where, problem) for problem in found_problems)
        if not found_problems:
            streams.append(StreamRow(code, values["name"], values["colour"], values["accepts"]))
    if problems:
        raise FileProblems(problems)
    return streams


def _toml_streams(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    try:
        document = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as error:
        raise FileProblems([f"The file is not TOML: {error}"]) from None
    tables = document.get("stream")
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise FileProblems(["The file needs one [[stream]] table for each stream, with code, name, colour and accepts"])
    for number, table in enumerate(tables, start=1):
        values = {key: str(table.get(key, "")).strip() for key in STREAM_COLUMNS}
        yield f"Stream {number}" + (f" ({values['code'][:20]})" if values["code"] else ""), values


def _stream_problems(values: Mapping[str, str]) -> list[str]:
    problems = []
    if values["code"] not in {code.value for code in StreamCode}:
        codes = ", ".join(code.value for code in StreamCode)
        problems.append(f"'{values['code'][:20]}' is not a waste stream Townhall knows: use one of {codes}")
    for column in ("name", "colour"):
        if not values[column]:
            problems.append(f"the {column} is empty")
        elif len(values[column]) > MAX_STREAM_TEXT:
            problems.append(f"the {column} is longer than {MAX_STREAM_TEXT} characters")
    if not values["accepts"]:
        problems.append("say what goes in it (accepts is empty)")
    return problems


# --- rounds -----------------------------------------------------------------------------------------------------


def weekday_from_name(text: str) -> int | None:
    """0 for "Monday" (or "mon", any case) to 6 for Sunday; None for anything else."""
    name = text.strip().lower().rstrip(".")
    for number, day in enumerate(DAY_NAMES):
        if name == day or (len(name) >= 3 and day.startswith(name)):
            return number
    return None


def rounds_from_csv(text: str, *, streams: Collection[str]) -> list[RoundRow]:
    """The rounds in a CSV file (`ROUND_COLUMNS`), each of one of `streams`; FileProblems naming each bad line."""
    rounds: list[RoundRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, values in csv_rows(text, ROUND_COLUMNS):
        row, found = _round_from(values, streams)
        if values[0] in seen:
            row, found = None, [f"the round {values[0]} is already on line {seen[values[0]]}"]
        elif values[0]:
            seen[values[0]] = line
        if row is not None:
            rounds.append(row)
        problems.extend(_at(f"Line {line}", problem) for problem in found)
    if problems:
        raise FileProblems(problems)
    if not rounds:
        raise _no_rows("rounds")
    return rounds


def _round_from(values: list[str], streams: Collection[str]) -> tuple[RoundRow | None, list[str]]:
    round_id, stream, weekday_text, frequency_text, reference_text = values
    problems = []
    if not round_id:
        problems.append("the round is empty: give each round its id")
    elif len(round_id) > MAX_ROUND_ID:
        problems.append(f"the round id '{round_id[:MAX_ROUND_ID]}...' is longer than {MAX_ROUND_ID} characters")
    if stream not in streams:
        known = ", ".join(sorted(streams)) or "none yet: load them first with `townhall bins import streams`"
        problems.append(f"there is no stream '{stream[:20]}' (the streams are {known})")
    weekday = weekday_from_name(weekday_text)
    if weekday is None:
        problems.append(f"the weekday '{weekday_text[:20]}' is not a day's name, such as Monday")
    frequency = whole_number(frequency_text, maximum=99)
    if frequency not in FREQUENCIES:
        problems.append(f"the frequency_weeks '{frequency_text[:20]}' is not 1, 2 or 4 (weeks between collections)")
    reference, problem = _day(reference_text, "reference date")
    if problem:
        problems.append(problem)
    elif reference is not None and weekday is not None and reference.weekday() != weekday:
        problems.append(f"the reference date, {long_date(reference)}, is not a {DAY_NAMES[weekday].title()}: it "
                        "must be a day the round collected on")  # fmt: skip
    if problems or weekday is None or frequency is None or reference is None:
        return None, problems
    return RoundRow(round_id, stream, weekday, frequency, reference), []


# --- properties and garden subscriptions ------------------------------------------------------------------------


def property_rounds_from_csv(text: str, *, uprns: Collection[int], rounds: Collection[str]) -> list[PropertyRow]:
    """(uprn, round) for each row of a CSV file (`PROPERTY_COLUMNS`, one row per round serving a property):
    FileProblems naming each line whose UPRN is not in `uprns`, whose round is not in `rounds`, or repeated."""
    rows: list[PropertyRow] = []
    problems: list[str] = []
    seen: dict[PropertyRow, int] = {}
    for line, (uprn_text, round_id) in csv_rows(text, PROPERTY_COLUMNS):
        uprn, problem = _uprn(uprn_text, uprns)
        found = [problem] if problem else []
        if round_id not in rounds:
            found.append(f"there is no round '{round_id[:MAX_ROUND_ID]}'" if round_id else "the round is empty")
        if uprn is not None and not found:
            key = (uprn, round_id)
            if key in seen:
                found.append(f"UPRN {uprn} and round {round_id} are already on line {seen[key]}")
            else:
                seen[key] = line
                rows.append(key)
        problems.extend(_at(f"Line {line}", message) for message in found)
    if problems:
        raise FileProblems(problems)
    if not rows:
        raise _no_rows("properties")
    return rows


def garden_from_csv(text: str, *, uprns: Collection[int]) -> list[GardenRow]:
    """Garden waste subscriptions in a CSV file (`GARDEN_COLUMNS`; a blank end runs on, blank bins is 1):
    FileProblems naming each line with an unknown UPRN, an unreadable date, an end before its start, a number of
    bins that is not 1 to 9, or a subscription overlapping another of the same property."""
    rows: list[GardenRow] = []
    problems: list[str] = []
    by_uprn: dict[int, list[tuple[int, date, date | None]]] = {}
    for line, values in csv_rows(text, GARDEN_COLUMNS):
        row, found = _subscription_from(values, uprns)
        if row is not None:
            uprn, starts, ends, _bins = row
            earlier = by_uprn.setdefault(uprn, [])
            overlap = next((other for other in earlier if _overlaps(other[1:], (starts, ends))), None)
            if overlap is not None:
                found = [f"UPRN {uprn}'s subscription overlaps the one on line {overlap[0]}"]
            else:
                earlier.append((line, starts, ends))
                rows.append(row)
        problems.extend(_at(f"Line {line}", message) for message in found)
    if problems:
        raise FileProblems(problems)
    if not rows:
        raise _no_rows("subscriptions")
    return rows


def _subscription_from(values: list[str], uprns: Collection[int]) -> tuple[GardenRow | None, list[str]]:
    uprn_text, starts_text, ends_text, bins_text = values
    uprn, problem = _uprn(uprn_text, uprns)
    problems = [problem] if problem else []
    starts, problem = _day(starts_text, "start date")
    problems += [problem] if problem else []
    ends, problem = _day(ends_text, "end date") if ends_text else (None, None)
    problems += [problem] if problem else []
    if starts is not None and ends is not None and ends < starts:
        problems.append(f"the end date, {long_date(ends)}, is before the start date, {long_date(starts)}")
    bins = whole_number(bins_text, maximum=99) if bins_text else 1
    if bins is None or not 1 <= bins <= MAX_GARDEN_BINS:
        problems.append(f"the number of bins '{bins_text[:20]}' is not a whole number from 1 to {MAX_GARDEN_BINS}")
    if problems or uprn is None or starts is None or bins is None:
        return None, problems
    return (uprn, starts, ends, bins), []


def _overlaps(first: tuple[date, date | None], second: tuple[date, date | None]) -> bool:
    (start_a, end_a), (start_b, end_b) = first, second
    return (end_a is None or start_b <= end_a) and (end_b is None or start_a <= end_b)
