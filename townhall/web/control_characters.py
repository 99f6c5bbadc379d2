"""Refuse control characters (the null character U+0000 and the other C0 controls but tab, line feed and carriage
return) wherever a request can carry them, with a message instead of a 500 or a broken answer later.

PostgreSQL's text columns cannot hold a null character: an insert or even a lookup with it fails in the database,
after the request's work has begun, as an unexpected error. SQLite stores it, so the two would differ too. The other
controls (a vertical tab pasted from a word processor, an escape) are stored, but XML 1.0 cannot carry them: one in a
report would make Open311's XML answers unreadable to every client, and a line break in an email address would end
its header. Nobody types one, but a pasted text, a client's bug or a probe can send one, so every route refuses them
first: the app-wide dependency `refuse_control_characters` for the FastAPI routes, `refused_field` for Open311's
plain Starlette routes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from fastapi import Request

from townhall.platform.errors import InvalidInput

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MESSAGE = "contains a null character, which cannot be accepted: remove it and try again"
# C0 controls and DEL, but tab, line feed and carriage return, which text areas send
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refusal(text: str) -> str:
    """Why a field holding ``text`` (which has a control character) is refused, naming the character."""
    found = CONTROL_CHARACTER.search(text)
    if found is None or found.group() == NUL:
        return MESSAGE
    return (
        f"contains an invisible control character (U+{ord(found.group()):04X}), which cannot be accepted: "
        "remove it (retype the text rather than paste it) and try again"
    )


def refused_field(items: Iterable[tuple[str, object]]) -> tuple[str, str] | None:
    """(field, why) for the first field whose name or text holds a control character (uploaded files are not
    text), or None."""
    for name, value in items:
        for text in (name, value):
            if isinstance(text, str) and CONTROL_CHARACTER.search(text):
                return CONTROL_CHARACTER.sub("", name) or "a field", refusal(text)
    return None


def _json_has_control_character(body: bytes) -> str | None:
    """The first text in a JSON body holding a control character (JSON carries them only escaped: a raw one is
    invalid JSON, refused as such by the route), or None."""
    if b"\\u00" not in body:  # every control character escaped is \u00XX (DEL \u007f)
        return None
    try:
        waiting = [json.loads(body)]
    except (ValueError, RecursionError):
        return None  # not JSON: the route's own parsing says so
    while waiting:  # the escape may be text (an escaped backslash), so look at what it was read as
        value = waiting.pop()
        if isinstance(value, str) and CONTROL_CHARACTER.search(value):
            return value
        if isinstance(value, dict):
            waiting.extend([*value, *value.values()])
        elif isinstance(value, list):
            waiting.extend(value)
    return None


async def refuse_control_characters(request: Request) -> None:
    """App-wide dependency: a 422 naming the field that holds a control character, in the path, query or body."""
    found = refused_field(request.path_params.items()) or refused_field(request.query_params.items())
    content_type = request.headers.get("content-type", "")
    if found is None and request.method not in ("GET", "HEAD") and content_type.startswith(FORM_TYPES):
        found = refused_field((await request.form()).multi_items())
    elif found is None and content_type.startswith("application/json"):
        text = _json_has_control_character(await request.body())
        found = None if text is None else ("request", refusal(text))
    if found is not None:
        raise InvalidInput(f"{found[0]}: {found[1]}")
