"""Refuse the null character (U+0000) wherever a request can carry it, with a message instead of a 500.

PostgreSQL's text columns cannot hold it: an insert or even a lookup with it fails in the database, after the
request's work has begun, as an unexpected error. SQLite stores it, so the two would differ too. Nobody types one,
but a pasted text, a client's bug or a probe can send one, so every route refuses it first: the app-wide dependency
`refuse_null_characters` for the FastAPI routes, `null_character_field` for Open311's plain Starlette routes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from fastapi import Request

from townhall.platform.errors import InvalidInput

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MESSAGE = "contains a null character, which cannot be accepted: remove it and try again"


def null_character_field(items: Iterable[tuple[str, object]]) -> str | None:
    """The name of the first field whose name or text holds a null character (uploaded files are not text)."""
    for name, value in items:
        if NUL in name or (isinstance(value, str) and NUL in value):
            return name.replace(NUL, "") or "a field"
    return None


def _json_has_null_character(body: bytes) -> bool:
    if b"\\u0000" not in body:  # JSON can carry it only escaped (a raw one is invalid JSON, refused as such)
        return False
    try:
        waiting = [json.loads(body)]
    except (ValueError, RecursionError):
        return False  # not JSON: the route's own parsing says so
    while waiting:  # the escape may be text (an escaped backslash), so look at what it was read as
        value = waiting.pop()
        if isinstance(value, str) and NUL in value:
            return True
        if isinstance(value, dict):
            waiting.extend([*value, *value.values()])
        elif isinstance(value, list):
            waiting.extend(value)
    return False


async def refuse_null_characters(request: Request) -> None:
    """App-wide dependency: a 422 naming the field that holds a null character, in the path, query or body."""
    found = null_character_field(request.path_params.items()) or null_character_field(request.query_params.items())
    content_type = request.headers.get("content-type", "")
    if found is None and request.method not in ("GET", "HEAD") and content_type.startswith(FORM_TYPES):
        found = null_character_field((await request.form()).multi_items())
    elif (
        found is None and content_type.startswith("application/json") and _json_has_null_character(await request.body())
    ):
        found = "request"
    if found is not None:
        raise InvalidInput(f"{found}: {MESSAGE}")
