"""Understanding a resident's typed answer to one of a service's questions (an Open311 attribute).

A list question is answered by the option's number, its key or its words ("the pavement", "2", "yes"); a date by
words the entity finder knows ("yesterday", "Monday", "2 November") or an ISO date; a number by digits. Returns
the values as `create_request` takes them (a list of strings), or None when the answer is not one it allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from townhall.assistant.entities import find_dates
from townhall.assistant.replies import Option
from townhall.platform.cache import TTLCache
from townhall.service_requests.catalogue import MAX_ANSWER_LENGTH, service_by_code
from townhall.service_requests.models import Service

# The catalogue changes only by import: each worker keeps what a report needs of a service for a minute, rather
# than loading the service and its questions for every message of a report.
CATALOGUE_CACHE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Question:
    """One of a service's questions (an Open311 attribute), as the assistant asks it."""

    code: str
    datatype: str
    required: bool
    variable: bool
    order: int
    description: str
    datatype_description: str
    allowed_values: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class ReportService:
    code: str
    name: str
    team: str
    location_is_private: bool
    questions: tuple[Question, ...]


_services: TTLCache[tuple[str, str], ReportService] = TTLCache(max_entries=200, ttl_seconds=CATALOGUE_CACHE_SECONDS)


def report_service(session: Session, *, code: str) -> ReportService:
    """The active service `code` (NotFound otherwise), from this worker's copy when it is recent."""
    key = (str(session.get_bind().engine.url), code)
    found = _services.get(key)
    if found is None:
        found = _snapshot(service_by_code(session, code=code))
        _services.put(key, found)
    return found


def _snapshot(service: Service) -> ReportService:
    questions = tuple(
        Question(
            a.code,
            a.datatype,
            a.required,
            a.variable,
            a.order,
            a.description,
            a.datatype_description or "",
            tuple(dict(v) for v in a.allowed_values or []),
        )
        for a in service.attributes
    )
    return ReportService(service.code, service.name, service.team, service.location_is_private, questions)


_YES = frozenset({"yes", "y", "yeah", "yep", "it is", "i think so"})
_NO = frozenset({"no", "n", "nope", "not really", "it is not", "it isn't"})
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def options_of(attribute: Question) -> list[Option]:
    return [{"value": str(n), "label": v["name"]} for n, v in enumerate(attribute.allowed_values, start=1)]


def question_text(attribute: Question) -> str:
    hints = {
        "singlevaluelist": "Reply with a number or the words.",
        "multivaluelist": "Reply with one or more numbers or words, separated by commas.",
        "datetime": "For example: today, yesterday, Monday or 2 November.",
        "number": "Reply with a number.",
    }
    extra = attribute.datatype_description or hints.get(attribute.datatype, "")
    return f"{attribute.description} {extra}".strip()


def parse_answer(attribute: Question, text: str, *, today: date) -> list[str] | None:
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_ANSWER_LENGTH:
        return None
    if attribute.datatype == "singlevaluelist":
        key = _list_key(attribute, cleaned)
        return [key] if key else None
    if attribute.datatype == "multivaluelist":
        keys = [_list_key(attribute, piece) for piece in re.split(r",|;|\band\b|&", cleaned) if piece.strip()]
        return list(dict.fromkeys(k for k in keys if k)) if keys and all(keys) else None
    if attribute.datatype == "datetime":
        return _date_answer(cleaned, today)
    if attribute.datatype == "number":
        found = _NUMBER.search(cleaned)
        return [found.group(0)] if found else None
    return [cleaned]


def _list_key(attribute: Question, text: str) -> str | None:
    """The key of the option the text picks: by number, key, yes/no, or its words (one option only)."""
    values = attribute.allowed_values
    typed = _words(text)
    if typed.isdigit():
        index = int(typed)
        return str(values[index - 1]["key"]) if 1 <= index <= len(values) else None
    keys = {str(v["key"]).lower(): str(v["key"]) for v in values}
    if typed in keys or typed.replace(" ", "_") in keys:
        return keys.get(typed) or keys[typed.replace(" ", "_")]
    if "yes" in keys and typed in _YES:
        return keys["yes"]
    if "no" in keys and typed in _NO:
        return keys["no"]
    exact = [str(v["key"]) for v in values if _words(v["name"]) == typed]
    if exact:
        return exact[0]
    if len(typed) < 3:
        return None
    padded = f" {typed} "
    matching = [
        str(v["key"]) for v in values if f" {_words(v['name'])} " in padded or f" {typed} " in f" {_words(v['name'])} "
    ]
    return matching[0] if len(matching) == 1 else None


def _date_answer(text: str, today: date) -> list[str] | None:
    try:
        return [date.fromisoformat(text[:10]).isoformat()]
    except ValueError:
        pass
    found = find_dates(text, today=today)
    return [found[0].isoformat()] if found else None


def answer_words(attribute: Question, values: list[str]) -> str:
    names = {str(v["key"]): v["name"] for v in attribute.allowed_values}
    if attribute.datatype == "datetime":
        return ", ".join(_nice_date(v) for v in values)
    return ", ".join(names.get(v, v) for v in values)


def _nice_date(value: str) -> str:
    day = date.fromisoformat(value)
    return f"{day:%A} {day.day} {day:%B %Y}"
