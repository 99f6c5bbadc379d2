"""Reading an Open311 `POST requests` form into a `NewRequest`: location, attributes and contact fields."""

from __future__ import annotations

import math
import re

from starlette.datastructures import FormData

from townhall.platform.numbers import MAX_UPRN, whole_number
from townhall.service_requests.service import NewRequest, RequestProblems

ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_.-]{1,40})\](\[\])?$")
MAX_CONTACT = 100


def _text(form: FormData, name: str, limit: int = MAX_CONTACT) -> str | None:
    value = str(form.get(name) or "").strip()
    return value[:limit] or None


def _number(form: FormData, name: str, problems: list[tuple[str, str]]) -> float | None:
    value = str(form.get(name) or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        problems.append((name, "must be a number in decimal degrees (WGS84)"))
        return None
    if not math.isfinite(number):
        problems.append((name, "must be a number in decimal degrees (WGS84)"))
        return None
    return number


def attributes_of(form: FormData) -> dict[str, list[str]]:
    """`attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2` as code -> values."""
    answers: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        match = ATTRIBUTE.match(name)
        if match and isinstance(value, str):
            answers.setdefault(match.group(1), []).append(value)
    return answers


def new_request_from_form(form: FormData, *, idempotency_key: str, token: str | None) -> NewRequest:
    problems: list[tuple[str, str]] = []
    service_code = _text(form, "service_code", 40)
    if not service_code:
        problems.append(("service_code", "is required"))
    latitude, longitude = _number(form, "lat", problems), _number(form, "long", problems)
    address_id = _text(form, "address_id", 20)
    uprn = whole_number(address_id, maximum=MAX_UPRN) if address_id else None
    if address_id and uprn is None:
        problems.append(("address_id", "must be a UPRN (digits only, at most 12)"))
    media_url = _text(form, "media_url", 500)
    if media_url and not media_url.startswith(("https://", "http://")):
        problems.append(("media_url", "must be an http or https address"))
    if problems:
        raise RequestProblems(problems)
    return NewRequest(
        service_code=service_code or "", source="open311", description=str(form.get("description") or ""),
        latitude=latitude, longitude=longitude, address_string=_text(form, "address_string", 300) or "",
        uprn=uprn, answers=attributes_of(form), email=_text(form, "email", 254), first_name=_text(form, "first_name"),
        last_name=_text(form, "last_name"), phone=_text(form, "phone", 40), device_id=_text(form, "device_id"),
        account_id=_text(form, "account_id"), media_url=media_url, client_token=token,
        idempotency_key=idempotency_key,
    )  # fmt: skip
