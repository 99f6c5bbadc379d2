"""A year's council tax charges as a revenues officer writes them: one TOML file per financial year.

```toml
financial_year = 2027            # the year starting 1 April 2027
[[parish]]                       # only for a parish not yet known (`townhall counciltax charges show` lists them)
name = "Ashby Parish Council"
ward_code = "E05000123"          # a ward in the gazetteer, which the parish covers
[[body]]
name = "Wexmoor Borough Council"
kind = "district"                # district, county, police, fire or parish
band_d = "245.67"                # pounds and pence, in quotes: exact, never a float
```

Reading checks everything that needs no database: the shape, each amount, the year, the body kinds a charge
needs, duplicates. `charges_import` then checks the parishes and wards against the database. Every problem is
reported at once, each naming where it is, so the officer can fix the file in one go.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from townhall.counciltax.charges import BodyKind, format_pounds
from townhall.platform.errors import InvalidInput, NotFound

FIRST_YEAR, LAST_YEAR = 2000, 2099
# Far above any English body's Band D (the highest county precepts are under £2,000): a figure over it is a typo,
# such as the total bill typed as one body's amount, or pence typed as pounds
MAX_BAND_D_PENCE = 500_000
KIND_NAMES: dict[str, BodyKind] = {
    "district": BodyKind.DISTRICT,
    "county": BodyKind.COUNTY,
    "police": BodyKind.POLICE,
    "fire": BodyKind.FIRE,
    "parish": BodyKind.PARISH,
}
# One of each at most; the district (the billing authority, which sets the charge) is always there
SINGLE_KINDS = (BodyKind.DISTRICT, BodyKind.COUNTY, BodyKind.POLICE, BodyKind.FIRE)
_AMOUNT = re.compile(r"\d+(\.\d{1,2})?", re.ASCII)  # "٢٥" is digits to Python, not to a revenues officer
_WARD_CODE = re.compile(r"[A-Za-z0-9]{1,12}")


def pence_from_text(value: Any) -> int:
    """Whole pence from pounds and pence written as text ("245.67", "1570", "31.2"); ValueError saying why not."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError('must be pounds and pence in quotes, like "245.67"')
    if not isinstance(value, str):  # a TOML number: a float may already have lost the exact amount
        raise ValueError(f'must be written in quotes, like "{value}", so that the amount is exact')
    text = value.strip()
    if text.startswith("-"):
        raise ValueError(f"cannot be negative ('{text[:20]}')")
    if not _AMOUNT.fullmatch(text):
        if re.fullmatch(r"\d+\.\d{3,}", text, re.ASCII):
            raise ValueError(f"'{text[:20]}' has more than two decimal places: give pounds and whole pence")
        raise ValueError(f"'{text[:20]}' is not an amount: write pounds and pence like \"245.67\", without £ or commas")
    pence = int(Decimal(text) * 100)
    if pence <= 0:
        raise ValueError("must be more than £0.00 (a body that takes nothing this year is left out of the file)")
    if pence >= MAX_BAND_D_PENCE:
        limit = format_pounds(MAX_BAND_D_PENCE)
        raise ValueError(
            f"{format_pounds(pence)} is too much for one body's Band D (the limit is under {limit}): "
            "is it the total bill, or pence typed as pounds?"
        )
    return pence


def kind_from_text(value: Any) -> BodyKind:
    if isinstance(value, str):
        cleaned = value.strip().lower()
        if cleaned in KIND_NAMES:
            return KIND_NAMES[cleaned]
        if cleaned in {kind.value for kind in BodyKind}:
            return BodyKind(cleaned)
    shown = f"'{value[:40]}'" if isinstance(value, str) else "it"
    raise ValueError(f"{shown} is not a kind of body: kinds are {', '.join(KIND_NAMES)}")


def year_from_value(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not FIRST_YEAR <= value <= LAST_YEAR:
        shown = f"{value!r}"[:20]
        raise ValueError(
            f"{shown} is not a financial year: give the year it starts on 1 April as a number from {FIRST_YEAR} "
            f"to {LAST_YEAR}, like financial_year = 2027 for 2027/28"
        )
    return value


def name_from_text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be some text")
    return " ".join(value.split())  # as people type it, without doubled or trailing spaces


def ward_code_from_text(value: Any) -> str:
    if not isinstance(value, str) or not _WARD_CODE.fullmatch(value.strip()):
        raise ValueError('must be a ward\'s code as in the gazetteer, like "E05000123"')
    return value.strip()


Name = Annotated[str, BeforeValidator(name_from_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParishEntry(_Strict):
    """A parish or town council that the file introduces, with the ward it covers."""

    name: Annotated[Name, Field(max_length=100)]
    ward_code: Annotated[str, BeforeValidator(ward_code_from_text)]


class BodyEntry(_Strict):
    """One precepting body's Band D amount; `parish` names the parish of a parish or town council."""

    name: Annotated[Name, Field(max_length=120)]
    kind: Annotated[BodyKind, BeforeValidator(kind_from_text)]
    band_d_pence: Annotated[int, BeforeValidator(pence_from_text), Field(alias="band_d")]
    parish: Annotated[Name, Field(max_length=100)] | None = None


class ChargesFile(_Strict):
    financial_year: Annotated[int, BeforeValidator(year_from_value)]
    parish: list[ParishEntry] = []
    body: list[BodyEntry] = Field(min_length=1)


def parse_charges_file(text: str, *, origin: str = "the file") -> ChargesFile:
    """A year's charges from TOML text, checked as far as a file alone can be; InvalidInput listing every problem,
    each naming `origin` and where in it the problem is."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{origin} is not valid TOML: {error}") from None
    try:
        charges = ChargesFile.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(_listed(origin, [_problem(data, p) for p in error.errors(include_url=False)])) from None
    problems = file_problems(charges)
    if problems:
        raise InvalidInput(_listed(origin, problems))
    return charges


def read_charges_file(path: Path) -> ChargesFile:
    if not path.is_file():
        raise NotFound(f"There is no file at {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not a text file in UTF-8") from None
    return parse_charges_file(text, origin=path.name)


def where_body(position: int, name: str | None) -> str:
    return f'body {position} ("{name[:120]}")' if name else f"body {position}"


def _problem(data: dict[str, Any], problem: Any) -> str:
    """ "body 2 ("Ashby Parish Council"), band_d: cannot be negative" from one of Pydantic's errors."""
    loc, message = list(problem["loc"]), str(problem["msg"]).removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        message = "is not a field this file has (check its spelling)"
    elif problem["type"] == "missing":
        message = "is missing"
    if problem["type"] in ("missing", "too_short") and loc == ["body"]:
        message = "the file must list at least one body, as [[body]] tables"
    if len(loc) >= 2 and loc[0] in ("body", "parish") and isinstance(loc[1], int):
        entries = data.get(str(loc[0]))
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        name = entry.get("name") if isinstance(entry, dict) and isinstance(entry.get("name"), str) else None
        label = where_body(loc[1] + 1, name) if loc[0] == "body" else f"parish {loc[1] + 1}"
        if loc[0] == "parish" and name:
            label += f' ("{name[:100]}")'
        loc = [label, *loc[2:]]
    return f"{', '.join(str(part) for part in loc) or 'the file'}: {message}"


def file_problems(charges: ChargesFile) -> list[str]:
    """What is wrong across the entries: duplicate bodies or parishes, a kind missing or twice, parish links."""
    return [*_body_problems(charges.body), *_kind_problems(charges.body), *_declared_parish_problems(charges.parish)]


def _body_problems(bodies: list[BodyEntry]) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    parish_bodies: dict[str, str] = {}
    for position, body in enumerate(bodies, start=1):
        where = where_body(position, body.name)
        earlier = seen.setdefault(body.name.casefold(), position)
        if earlier != position:
            problems.append(f"{where}, name: the same body is already body {earlier}; list each body once")
        if body.kind is BodyKind.PARISH and body.parish is None:
            problems.append(f"{where}, parish: a parish or town council needs the parish it precepts on")
        elif body.kind is not BodyKind.PARISH and body.parish is not None:
            problems.append(f"{where}, parish: only a body of kind parish has a parish (this is {body.kind.value})")
        elif body.parish is not None:
            other = parish_bodies.setdefault(body.parish.casefold(), body.name)
            if other != body.name:
                problems.append(f'{where}, parish: "{body.parish}" already has a precept, from "{other}"')
    return problems


def _kind_problems(bodies: list[BodyEntry]) -> list[str]:
    problems = []
    for kind in SINGLE_KINDS:
        count = sum(body.kind is kind for body in bodies)
        if count > 1:
            problems.append(f"body: there are {count} bodies of kind {short_kind(kind)}; a year has one at most")
    if not any(body.kind is BodyKind.DISTRICT for body in bodies):
        problems.append(
            'body: there is no body of kind district: the council itself must be listed (kind = "district")'
        )
    return problems


def _declared_parish_problems(parishes: list[ParishEntry]) -> list[str]:
    problems = []
    names: set[str] = set()
    wards: dict[str, str] = {}
    for position, parish in enumerate(parishes, start=1):
        where = f'parish {position} ("{parish.name}")'
        if parish.name.casefold() in names:
            problems.append(f"{where}, name: this parish is declared twice")
        names.add(parish.name.casefold())
        other = wards.setdefault(parish.ward_code, parish.name)
        if other != parish.name:
            problems.append(f"{where}, ward_code: {other} covers that ward already")
    return problems


def short_kind(kind: BodyKind) -> str:
    """ "county" for BodyKind.COUNTY: the word a charges file uses."""
    return next(short for short, value in KIND_NAMES.items() if value is kind)


def _listed(origin: str, problems: list[str]) -> str:
    if len(problems) == 1:
        return f"{origin}: {problems[0]}"
    return f"{origin} has {len(problems)} problems:\n" + "\n".join(f"- {problem}" for problem in problems)
