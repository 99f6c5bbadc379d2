"""The synthetic council's service requests: the catalogue and three years of history with real seasonality.

Potholes follow frost (January to March), garden waste and vegetation the summer, noise weekends and summer
evenings, fly-tipping the days around bank holidays. Busier (denser) wards report more: flats and terraces
weigh more than detached houses. Most requests are closed within their service level; some run late and a few
recent ones are still open and overdue. Reporters are drawn from the people living at the address.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert

from townhall.bins.bank_holidays import england_and_wales_bank_holidays
from townhall.db import table_of
from townhall.platform.clock import LONDON
from townhall.service_requests.catalogue import DEFAULT_CATALOGUE, read_catalogue_file
from townhall.service_requests.models import RequestUpdate, Service, ServiceAttribute, ServiceRequest
from townhall.service_requests.working_days import expected_by
from townhall.synthetic.council import World, Writer

YEARS = 3
# Requests a year per 1,000 properties, and the months (1-12) each is most common in (weight 2.5).
RATES: dict[str, tuple[float, tuple[int, ...]]] = {
    "pothole": (18, (1, 2, 3)), "street_light": (9, (10, 11, 12, 1)), "fly_tipping": (14, ()),
    "graffiti": (5, (6, 7, 8)), "missed_bin": (22, (12, 1)), "bulky_waste": (3, (4, 5)),
    "dog_fouling": (6, (11, 12, 1, 2)), "abandoned_vehicle": (3, ()), "noise": (9, (6, 7, 8)),
    "overgrown_vegetation": (7, (5, 6, 7, 8)), "blocked_drain": (5, (10, 11, 12)), "damaged_sign": (2, ()),
    "litter_bin": (6, (6, 7, 8)), "dead_animal": (3, (4, 5, 6)),
}  # fmt: skip
AT_ADDRESS = frozenset({"missed_bin", "bulky_waste", "noise"})
DENSITY = {"flat": 1.8, "terraced": 1.4, "semi-detached": 1.0, "detached": 0.7, "bungalow": 0.8}
CLOSING = ("fixed", "fixed", "fixed", "closed", "closed", "duplicate", "not_councils_responsibility")
PUBLIC_NOTES = {
    "in_progress": "An officer is looking into this.",
    "action_scheduled": "Work has been booked.",
    "fixed": "This has been fixed. Thank you for reporting it.",
    "closed": "We have inspected this and closed the report.",
    "duplicate": "This problem had already been reported; we are dealing with it under that report.",
    "not_councils_responsibility": "This is not the council's responsibility; we have passed it on.",
}


def _day_weights(code: str, days: list[date], peak_months: tuple[int, ...], holidays: frozenset[date]) -> np.ndarray:
    weights = np.array([2.5 if d.month in peak_months else 1.0 for d in days])
    if code == "noise":
        weights *= np.array([1.8 if d.weekday() >= 5 else 1.0 for d in days])
    if code == "fly_tipping":
        near = {h + timedelta(days=k) for h in holidays for k in range(-2, 4)}
        weights *= np.array([2.2 if d in near else 1.0 for d in days])
    if code in ("missed_bin", "bulky_waste"):
        weights *= np.array([0.1 if d.weekday() >= 5 else 1.0 for d in days])
    return np.asarray(weights / weights.sum())


class ServiceRequestsPart:
    name = "service_requests"
    requires = ("geography", "population")

    def build(self, world: World, writer: Writer, rng: np.random.Generator) -> None:
        services = self._catalogue(writer)
        geography, population = world.need("geography"), world.need("population")
        as_of: date = world.spec.as_of
        first = as_of - timedelta(days=365 * YEARS)
        days = [first + timedelta(days=n) for n in range((as_of - first).days)]
        holidays = england_and_wales_bank_holidays(range(first.year, as_of.year + 1))
        density = np.array([DENSITY.get(t, 1.0) for t in geography.property_type])
        property_weights = density / density.sum()
        sqlite = writer.connection.dialect.name == "sqlite"
        rows: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        for code, (rate, peaks) in RATES.items():
            service = services[code]
            count = int(rng.poisson(rate * len(geography) / 1000 * YEARS))
            chosen_days = rng.choice(len(days), size=count, p=_day_weights(code, days, peaks, holidays))
            chosen_homes = rng.choice(len(geography), size=count, p=property_weights)
            for day_index, home in zip(chosen_days, chosen_homes, strict=True):
                row, history = self._request(len(rows) + 1, service, days[day_index], int(home), geography,
                                             population, as_of, rng, sqlite)  # fmt: skip
                rows.append(row)
                updates += history
        rows.sort(key=lambda r: r[REQUESTED])
        renumber = {row[0]: n for n, row in enumerate(rows, 1)}
        rows = [(renumber[r[0]], *r[1:]) for r in rows]
        updates = [(n, renumber[u[0]], *u[1:]) for n, u in enumerate(sorted(updates, key=lambda u: u[3]), 1)]
        writer.insert(ServiceRequest, REQUEST_COLUMNS, rows)
        writer.insert(RequestUpdate, ("id", "request_id", "status", "public_note", "internal_note", "created_at"),
                      [(u[0], u[1], u[2], u[3], "", _stamp(u[4], sqlite)) for u in updates])  # fmt: skip
        _advance_sequences(writer)
        world.built[self.name] = len(rows)

    def _catalogue(self, writer: Writer) -> dict[str, dict[str, Any]]:
        services: dict[str, dict[str, Any]] = {}
        attributes = []
        for service_id, entry in enumerate(read_catalogue_file(DEFAULT_CATALOGUE), 1):
            services[entry["code"]] = {"id": service_id, **entry}
            for order, attribute in enumerate(entry.get("attributes") or [], 1):
                attributes.append({
                    "service_id": service_id, "code": attribute["code"], "variable": attribute.get("variable", True),
                    "datatype": attribute["datatype"], "required": bool(attribute.get("required", False)),
                    "order": order, "description": attribute["description"],
                    "datatype_description": attribute.get("datatype_description", ""),
                    "allowed_values": [{"key": str(v["key"]), "name": v["name"]} for v in attribute.get("values", [])],
                })  # fmt: skip
        writer.connection.execute(insert(table_of(Service)), [
            {"id": s["id"], "code": s["code"], "name": s["name"], "description": s.get("description", ""),
             "service_group": s.get("group", ""), "keywords": ", ".join(s.get("keywords", [])), "team": s["team"],
             "response_working_days": s["response_working_days"], "active": True,
             "location_is_private": bool(s.get("location_is_private", False))} for s in services.values()
        ])  # fmt: skip
        writer.connection.execute(insert(table_of(ServiceAttribute)), attributes)
        return services

    def _request(self, number: int, service: dict[str, Any], day: date, home: int, geography: Any,
                 population: Any, as_of: date, rng: np.random.Generator, sqlite: bool,
                 ) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:  # fmt: skip
        code = service["code"]
        hour = int(rng.integers(19, 24)) if code == "noise" else int(rng.integers(7, 21))
        requested = datetime.combine(day, time(hour, int(rng.integers(0, 60))), tzinfo=LONDON)
        expected = expected_by(requested, service["response_working_days"])
        uprn = int(geography.uprn[home])
        at_address = code in AT_ADDRESS
        jitter = 0.0 if at_address else rng.normal(0, 0.0003)
        latitude = float(geography.latitude[home]) + jitter
        longitude = float(geography.longitude[home]) + (0.0 if at_address else rng.normal(0, 0.0005))
        address = geography.address[home] if at_address else "Near " + geography.address[home].split(", ", 1)[-1]
        names = _reporter(population, uprn, number)
        history, status, closed = _history(number, requested, expected, as_of, rng)
        answers = _answers(service, day, rng)
        row = (
            number, service["id"], status, f"Reported {service['name'].lower()}.", latitude, longitude, address,
            uprn if at_address else None, geography.ward_codes[int(geography.ward_index[home])], json.dumps(answers),
            "synthetic", names[0], names[1], names[2], service["team"], _stamp(requested, sqlite),
            _stamp(history[-1][3] if history else requested, sqlite), _stamp(expected, sqlite),
            _stamp(closed, sqlite) if closed else None,
        )  # fmt: skip
        return row, [(number, s, PUBLIC_NOTES[s], moment) for _, s, _, moment in history]


REQUEST_COLUMNS = (
    "id", "service_id", "status", "description", "latitude", "longitude", "address", "uprn", "ward_code", "answers",
    "source", "contact_first_name", "contact_last_name", "contact_email", "team", "requested_at", "updated_at",
    "expected_at", "closed_at",
)  # fmt: skip
REQUESTED = REQUEST_COLUMNS.index("requested_at")


def _advance_sequences(writer: Writer) -> None:
    """Rows were written with their ids, so PostgreSQL's id sequences must move past them."""
    if writer.connection.dialect.name != "postgresql":
        return
    for model in (Service, ServiceAttribute, ServiceRequest, RequestUpdate):
        name = table_of(model).name
        writer.connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"  # noqa: S608, E501 - our own table names
        )


def _stamp(moment: datetime, sqlite: bool) -> Any:
    """UTC, as the models store it: SQLite gets SQLAlchemy's own text form, PostgreSQL the aware datetime."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else utc


def _reporter(population: Any, uprn: int, number: int) -> tuple[str | None, str | None, str | None]:
    household = population.current.get(uprn)
    if not household or not household[1]:
        return None, None, None
    person = household[1][0]
    first, last = population.first_name[person], population.last_name[person]
    return first, last, f"{first}.{last}.{number}@example.com".lower().replace(" ", "").replace("'", "")


def _history(
    number: int, requested: datetime, expected: datetime, as_of: date, rng: np.random.Generator
) -> tuple[list[tuple[int, str, str, datetime]], str, datetime | None]:
    """Updates consistent with the service level: most closed by the expected date, some late, a few still open."""
    now = datetime.combine(as_of, time(9), tzinfo=LONDON)
    allowed = max((expected - requested).total_seconds(), 3600.0)
    late = rng.random() < 0.12
    takes = allowed * (float(rng.uniform(1.05, 2.5)) if late else float(rng.uniform(0.2, 0.95)))
    closes_at = requested + timedelta(seconds=takes)
    history: list[tuple[int, str, str, datetime]] = []
    # Some recent requests are stuck (waiting on a contractor, say): they stay open and fall overdue.
    stuck = now - requested < timedelta(days=45) and rng.random() < 0.3
    if closes_at <= now and not stuck:
        middle = requested + timedelta(seconds=takes * 0.4)
        if rng.random() < 0.5:
            history.append((number, "in_progress", "", middle))
        status = str(rng.choice(CLOSING))
        history.append((number, status, "", closes_at))
        return history, status, closes_at
    if rng.random() < 0.5 and requested + timedelta(hours=4) < now:
        history.append((number, "in_progress", "", requested + timedelta(hours=4)))
        return history, "in_progress", None
    return history, "open", None


def _answers(service: dict[str, Any], day: date, rng: np.random.Generator) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for attribute in service.get("attributes") or []:
        keys = [str(v["key"]) for v in attribute.get("values", [])]
        if attribute["datatype"] == "singlevaluelist":
            answers[attribute["code"]] = str(rng.choice(keys))
        elif attribute["datatype"] == "multivaluelist":
            answers[attribute["code"]] = [str(rng.choice(keys))]
        elif attribute["code"] == "collection_date":
            answers[attribute["code"]] = (day - timedelta(days=1)).isoformat()
    return answers


SERVICE_REQUESTS = ServiceRequestsPart()
