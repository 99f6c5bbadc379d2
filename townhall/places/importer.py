"""Load a gazetteer extract (CSV) in bulk. Every row is checked; a bad row goes to a rejects file with the
reason, and the good rows still load. A property already in the gazetteer is updated (extracts are refreshed).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, delete

from townhall.places.addresses import AddressParts, address_terms, single_line_address
from townhall.places.models import AddressTerm, Property, Street, Ward
from townhall.places.postcodes import InvalidPostcode, normalise_postcode
from townhall.platform.bulk import bulk_insert, upsert
from townhall.platform.errors import InvalidInput
from townhall.platform.numbers import whole_number
from townhall.platform.progress import ProgressCallback

REQUIRED_COLUMNS = (
    "uprn", "usrn", "building_number", "street", "town", "postcode", "ward_code", "ward_name", "latitude",
    "longitude", "property_type", "council_tax_band",
)  # fmt: skip
OPTIONAL_COLUMNS = ("sub_building_name", "building_name", "locality")
PROPERTY_TYPES = {
    "detached",
    "semi-detached",
    "terraced",
    "flat",
    "bungalow",
    "maisonette",
    "caravan",
    "other",
}
BANDS = set("ABCDEFGH")
# A box around Great Britain and Northern Ireland: coordinates outside it are a mistake, not a place.
UK_LATITUDE = (49.8, 60.9)
UK_LONGITUDE = (-8.7, 1.8)
BATCH = 5_000


@dataclass(frozen=True, slots=True)
class ImportReport:
    loaded: int
    rejected: int


class RowRejected(ValueError):
    pass


def _text(row: dict[str, str], column: str, *, required: bool = True, limit: int = 100) -> str | None:
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            raise RowRejected(f"{column} is empty")
        return None
    if len(value) > limit:
        raise RowRejected(f"{column} is longer than {limit} characters")
    return value


def _integer(row: dict[str, str], column: str, *, digits: int) -> int:
    value = (row.get(column) or "").strip()
    number = whole_number(value, maximum=10**digits - 1)
    if not number:
        raise RowRejected(f"{column} '{value}' is not a whole number of 1 to {digits} digits")
    return number


def _coordinate(row: dict[str, str], column: str, bounds: tuple[float, float]) -> float:
    value = (row.get(column) or "").strip()
    try:
        number = float(value)
    except ValueError:
        raise RowRejected(f"{column} '{value}' is not a number") from None
    if not bounds[0] <= number <= bounds[1]:
        raise RowRejected(f"{column} {number} is outside the United Kingdom")
    return number


def parse_row(row: dict[str, str]) -> dict[str, Any]:
    """One extract row checked and turned into a property; raises RowRejected saying what is wrong."""
    try:
        postcode = normalise_postcode(row.get("postcode") or "")
    except InvalidPostcode as error:
        raise RowRejected(f"postcode: {error}") from None
    property_type = (_text(row, "property_type") or "").lower()
    if property_type not in PROPERTY_TYPES:
        raise RowRejected(f"property_type '{property_type}' is not one of {', '.join(sorted(PROPERTY_TYPES))}")
    band = (_text(row, "council_tax_band", required=False, limit=1) or "").upper() or None
    if band is not None and band not in BANDS:
        raise RowRejected(f"council_tax_band '{band}' is not a band from A to H")
    parts = AddressParts(
        sub_building_name=_text(row, "sub_building_name", required=False),
        building_name=_text(row, "building_name", required=False),
        building_number=_text(row, "building_number", required=False, limit=20),
        street_name=_text(row, "street") or "",
        locality=_text(row, "locality", required=False),
        town=_text(row, "town") or "",
    )
    if not (parts.building_number or parts.building_name or parts.sub_building_name):
        raise RowRejected("the address has no building number or name")
    return {
        "uprn": _integer(row, "uprn", digits=12),
        "usrn": _integer(row, "usrn", digits=8),
        "sub_building_name": parts.sub_building_name,
        "building_name": parts.building_name,
        "building_number": parts.building_number,
        "street_name": parts.street_name,
        "locality": parts.locality,
        "town": parts.town,
        "postcode": postcode,
        "ward_code": _text(row, "ward_code", limit=12),
        "ward_name": _text(row, "ward_name"),
        "latitude": _coordinate(row, "latitude", UK_LATITUDE),
        "longitude": _coordinate(row, "longitude", UK_LONGITUDE),
        "property_type": property_type,
        "council_tax_band": band,
        "address": single_line_address(parts),
    }


def _checked_rows(
    reader: csv.DictReader[str], rejects: csv.DictWriter[str], tally: dict[str, int]
) -> Iterator[dict[str, Any]]:
    seen: dict[int, int] = {}
    for line, row in enumerate(reader, start=2):  # line 1 is the header
        try:
            parsed = parse_row(row)
            if parsed["uprn"] in seen:
                raise RowRejected(f"UPRN {parsed['uprn']} is already on line {seen[parsed['uprn']]} of this file")
        except RowRejected as reason:
            rejects.writerow({**row, "line": line, "reason": str(reason)})
            tally["rejected"] += 1
            continue
        seen[parsed["uprn"]] = line
        yield parsed


def _check_header(fieldnames: Sequence[str] | None) -> list[str]:
    if not fieldnames:
        raise InvalidInput(f"The file is empty: it needs a header row naming {', '.join(REQUIRED_COLUMNS)}")
    header = [name.strip() for name in fieldnames]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise InvalidInput(f"The file has no column named {', '.join(missing)}; it needs {', '.join(REQUIRED_COLUMNS)}")
    return header


def import_gazetteer(
    connection: Connection, *, source: Path, rejects: Path, progress: ProgressCallback | None = None
) -> ImportReport:
    """Load every valid row of `source`; write the others to `rejects` with their line and reason.

    A file that is empty, lacks a required column or is not UTF-8 text raises InvalidInput, and `rejects` is left
    as it was (or, for text that stops being UTF-8 part way, removed): the caller rolls back what was loaded."""
    loaded = 0
    tally = {"rejected": 0}
    rejects_started = False
    try:
        with source.open(newline="", encoding="utf-8-sig") as extract:
            reader = csv.DictReader(extract)
            header = _check_header(reader.fieldnames)
            with _open_rejects(rejects) as rejects_file:
                rejects_started = True
                fields = [*header, "line", "reason"]
                reject_writer = csv.DictWriter(rejects_file, fieldnames=fields, extrasaction="ignore")
                reject_writer.writeheader()
                batch: list[dict[str, Any]] = []
                for parsed in _checked_rows(reader, reject_writer, tally):
                    batch.append(parsed)
                    if len(batch) >= BATCH:
                        loaded += _save_batch(connection, batch)
                        batch = []
                        if progress:
                            progress("properties", loaded, 0)
                loaded += _save_batch(connection, batch)
    except UnicodeDecodeError as error:
        if rejects_started:  # it lists the rejects of an import that did not happen
            rejects.unlink(missing_ok=True)
        raise InvalidInput(
            f"{source.name} is not UTF-8 text (a byte {error.object[error.start]:02X} cannot be read): save the "
            "extract as CSV UTF-8 and import it again"
        ) from None
    if tally["rejected"] == 0:
        rejects.unlink()
    return ImportReport(loaded=loaded, rejected=tally["rejected"])


def _open_rejects(rejects: Path) -> TextIO:
    try:
        return rejects.open("w", newline="")
    except OSError as error:
        raise InvalidInput(f"Townhall cannot write the rejected rows to {rejects}: {error.strerror}") from None


def _save_batch(connection: Connection, batch: list[dict[str, Any]]) -> int:
    if not batch:
        return 0
    wards = {row["ward_code"]: row["ward_name"] for row in batch}
    upsert(connection, Ward, [{"code": c, "name": n} for c, n in wards.items()], key=["code"])
    streets = {row["usrn"]: (row["street_name"], row["locality"], row["town"]) for row in batch}
    upsert(
        connection,
        Street,
        [{"usrn": u, "name": s[0], "locality": s[1], "town": s[2]} for u, s in streets.items()],
        key=["usrn"],
    )
    properties = [{k: v for k, v in row.items() if k != "ward_name"} for row in batch]
    upsert(connection, Property, properties, key=["uprn"])
    uprns = [row["uprn"] for row in batch]
    connection.execute(delete(AddressTerm).where(AddressTerm.uprn.in_(uprns)))
    terms = ((term, row["uprn"]) for row in batch for term in sorted(address_terms(row["address"], row["postcode"])))
    bulk_insert(connection, AddressTerm, ("term", "uprn"), terms)
    return len(batch)
