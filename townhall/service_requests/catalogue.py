"""The service catalogue: loading it from a YAML or TOML file, listing it, and checking answers to its questions."""

from __future__ import annotations

import time
import tomllib
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from townhall.platform.errors import InvalidInput, NotFound
from townhall.service_requests import changes
from townhall.service_requests.models import Service, ServiceAttribute

DEFAULT_CATALOGUE = Path(__file__).parent / "data" / "catalogue.yaml"
DATATYPES = frozenset({"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"})
LIST_TYPES = frozenset({"singlevaluelist", "multivaluelist"})
MAX_ANSWER_LENGTH = 1000
EARLIEST_ANSWER, LATEST_ANSWER = date(1900, 1, 1), date(2199, 12, 31)  # what a date answer may be
# How long a worker keeps the active catalogue for Open311's create batches: the bound on how soon a change made
# in another worker process (a service withdrawn, a question added) reaches this one's creates.
CATALOGUE_CACHE_SECONDS = 5.0


def read_catalogue_file(path: Path) -> list[dict[str, Any]]:
    """The services described in a .yaml/.yml or .toml file (a top-level `services` list)."""
    if not path.is_file():
        raise NotFound(f"There is no file at {path}")
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise InvalidInput(f"{path.name} is not valid {path.suffix.lstrip('.').upper()}: {error}") from None
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, list) or not services:
        raise InvalidInput(f"{path.name} must have a list called 'services'")
    return services


def _text(entry: dict[str, Any], key: str, where: str, *, default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}: '{key}' must be some text")
    return value.strip()


def _attribute(entry: dict[str, Any], order: int, where: str) -> ServiceAttribute:
    code = _text(entry, "code", where)
    datatype = _text(entry, "datatype", f"{where}, question {code}")
    if datatype not in DATATYPES:
        raise InvalidInput(f"{where}, question {code}: datatype must be one of {', '.join(sorted(DATATYPES))}")
    values = [{"key": str(v["key"]), "name": str(v["name"])} for v in entry.get("values") or []]
    if datatype in LIST_TYPES and not values:
        raise InvalidInput(f"{where}, question {code}: a {datatype} needs its values")
    return ServiceAttribute(
        code=code,
        variable=bool(entry.get("variable", True)),
        datatype=datatype,
        required=bool(entry.get("required", False)),
        order=int(entry.get("order", order)),
        description=_text(entry, "description", f"{where}, question {code}"),
        datatype_description=str(entry.get("datatype_description", "")),
        allowed_values=values,
    )


def import_catalogue(session: Session, *, services: list[dict[str, Any]]) -> tuple[int, int]:
    """Add new services and replace existing ones (by code); returns (added, updated). Nothing is deleted."""
    added = updated = 0
    existing = {s.code: s for s in session.scalars(select(Service))}
    for position, entry in enumerate(services, start=1):
        where = f"service {position}"
        code = _text(entry, "code", where)
        days = entry.get("response_working_days")
        if not isinstance(days, int) or not 0 < days <= 365:
            raise InvalidInput(f"service {code}: response_working_days must be a whole number from 1 to 365")
        service = existing.get(code)
        if service is None:
            service = Service(code=code)
            session.add(service)
            added += 1
        else:
            updated += 1
        service.name = _text(entry, "name", f"service {code}")
        service.description = str(entry.get("description", ""))
        service.group = str(entry.get("group", ""))
        service.keywords = ", ".join(str(k) for k in entry.get("keywords") or [])
        service.team = _text(entry, "team", f"service {code}")
        service.response_working_days = days
        service.active = bool(entry.get("active", True))
        service.location_is_private = bool(entry.get("location_is_private", False))
        attributes = [_attribute(a, n, f"service {code}") for n, a in enumerate(entry.get("attributes") or [], 1)]
        service.attributes.clear()
        session.flush()
        service.attributes.extend(attributes)
    session.flush()
    return added, updated


def list_services(session: Session, *, active_only: bool = True) -> list[Service]:
    statement = select(Service).order_by(Service.group, Service.name)
    if active_only:
        statement = statement.where(Service.active.is_(True))
    return list(session.scalars(statement))


def service_by_code(session: Session, *, code: str) -> Service:
    found = session.scalar(select(Service).where(Service.code == code, Service.active.is_(True)))
    if found is None:
        raise NotFound(f"There is no service with the code {code!r}")
    return found


@dataclass(frozen=True, slots=True)
class QuestionRules:
    """A service's question as its answers are checked: a read-only copy of a `ServiceAttribute`."""

    code: str
    variable: bool
    datatype: str
    required: bool
    description: str
    allowed_values: list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class ServiceRules:
    """What a create needs of an active service: a read-only copy of a `Service`, safe to share between threads."""

    id: int
    code: str
    team: str
    response_working_days: int
    attributes: tuple[QuestionRules, ...]


@dataclass(frozen=True, slots=True)
class _Snapshot:
    generation: int
    read_at: float
    services: Mapping[str, ServiceRules]


_snapshots: weakref.WeakKeyDictionary[Engine, _Snapshot] = weakref.WeakKeyDictionary()


def active_catalogue(session: Session) -> Mapping[str, ServiceRules]:
    """Every active service by code, read once and shared by this worker's Open311 batches (two statements and
    the rows' objects per batch were a fifth of a batch's fixed cost). Read again when this process changes the
    catalogue (`changes.catalogue_generation`) and at least every `CATALOGUE_CACHE_SECONDS`; a session holding
    catalogue changes of its own that are not committed yet reads them and keeps them to itself."""
    engine = session.get_bind().engine
    generation, now = changes.catalogue_generation(), time.monotonic()
    own_changes = changes.catalogue_changing(session)
    kept = _snapshots.get(engine)
    if kept and not own_changes and kept.generation == generation and now - kept.read_at < CATALOGUE_CACHE_SECONDS:
        return kept.services
    services = _read_catalogue(session)
    if not own_changes:
        _snapshots[engine] = _Snapshot(generation, now, services)
    return services


def _read_catalogue(session: Session) -> dict[str, ServiceRules]:
    """Plain rows, not ORM objects, so nothing is added to (or shared from) the session's identity map."""
    questions: dict[int, list[QuestionRules]] = {}
    attribute_rows = session.execute(
        select(ServiceAttribute.service_id, ServiceAttribute.code, ServiceAttribute.variable, ServiceAttribute.datatype,
               ServiceAttribute.required, ServiceAttribute.description, ServiceAttribute.allowed_values)
        .join(Service).where(Service.active.is_(True)).order_by(ServiceAttribute.order, ServiceAttribute.id)
    )  # fmt: skip
    for service_id, code, variable, datatype, required, description, allowed in attribute_rows:
        questions.setdefault(service_id, []).append(
            QuestionRules(code, variable, datatype, required, description, allowed)
        )
    service_rows = session.execute(
        select(Service.id, Service.code, Service.team, Service.response_working_days).where(Service.active.is_(True))
    )
    return {
        code: ServiceRules(id_, code, team, days, tuple(questions.get(id_, ())))
        for id_, code, team, days in service_rows
    }


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    field: str  # the attribute's code
    message: str


def check_answers(
    service: Service | ServiceRules, raw: dict[str, list[str]]
) -> tuple[dict[str, Any], list[AnswerProblem]]:
    """The answers to a service's questions, checked and typed, and the problems found (one per question)."""
    answers: dict[str, Any] = {}
    problems: list[AnswerProblem] = []
    for attribute in service.attributes:
        if not attribute.variable:
            continue
        given = [v.strip() for v in raw.get(attribute.code, []) if v.strip()]
        if not given:
            if attribute.required:
                problems.append(AnswerProblem(attribute.code, f"{attribute.description}: an answer is required"))
            continue
        value, problem = _typed_answer(attribute, given)
        if problem:
            problems.append(AnswerProblem(attribute.code, f"{attribute.description}: {problem}"))
        else:
            answers[attribute.code] = value
    return answers, problems


def _typed_answer(attribute: ServiceAttribute | QuestionRules, given: list[str]) -> tuple[Any, str | None]:
    keys = [v["key"] for v in attribute.allowed_values]
    if attribute.datatype == "multivaluelist":
        outside = [v for v in given if v not in keys]
        return (given, None) if not outside else (None, f"{outside[0]!r} is not one of {', '.join(keys)}")
    value = given[0]
    if len(value) > MAX_ANSWER_LENGTH:
        return None, f"the answer must be {MAX_ANSWER_LENGTH:,} characters or fewer"
    if attribute.datatype == "singlevaluelist":
        return (value, None) if value in keys else (None, f"{value!r} is not one of {', '.join(keys)}")
    if attribute.datatype == "number":
        try:
            return float(value) if "." in value else int(value), None
        except ValueError:
            return None, "must be a number"
    if attribute.datatype == "datetime":
        try:
            answered = date.fromisoformat(value[:10])
        except ValueError:
            return None, "must be a date like 2026-11-02"
        # A date no report can be about (year 9999, year 1) would overflow the date arithmetic of the checks after
        if not EARLIEST_ANSWER <= answered <= LATEST_ANSWER:
            return None, f"must be a date between {EARLIEST_ANSWER.year} and {LATEST_ANSWER.year}, like 2026-11-02"
        return answered.isoformat(), None
    return value, None


def value_name(attribute: ServiceAttribute, key: str) -> str:
    """The words for a list answer's key ("refuse" -> "Rubbish (general waste)")."""
    return next((v["name"] for v in attribute.allowed_values if v["key"] == key), key)


def answers_in_words(service: Service, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(question, answer) in words for a request's answers, in the service's order: "How deep is it?", "Deeper
    than a brick". An answer to a question the service no longer asks is shown by its code, so none is hidden."""
    asked = {attribute.code: attribute for attribute in service.attributes}
    shown = [
        (attribute.description, _answer_words(attribute, answers[attribute.code]))
        for attribute in service.attributes
        if attribute.code in answers
    ]
    shown += [(code, _plain(answer)) for code, answer in answers.items() if code not in asked]
    return shown


def _answer_words(attribute: ServiceAttribute, answer: Any) -> str:
    return ", ".join(value_name(attribute, str(value)) for value in (answer if isinstance(answer, list) else [answer]))


def _plain(answer: Any) -> str:
    return ", ".join(str(value) for value in answer) if isinstance(answer, list) else str(answer)
