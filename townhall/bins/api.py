"""The bins JSON API: a property's collections over a date range, and its iCal feed for calendar apps."""

from __future__ import annotations

import json
import time
from datetime import UTC, date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.responses import Response

from townhall.bins import service
from townhall.bins.schedule import Collection
from townhall.bins.schemas import PropertyCollections
from townhall.platform import clock
from townhall.platform.cache import TTLCache
from townhall.platform.errors import InvalidInput
from townhall.platform.numbers import whole_number
from townhall.web.deps import run_database_work

router = APIRouter(tags=["bins"])
feed_router = APIRouter(tags=["bins"])

UprnPath = Annotated[int, Path(gt=0, lt=10**12, description="Unique Property Reference Number")]
NETWORK_TTL_SECONDS = 60.0
DEFAULT_DAYS = 28
CACHE_ENTRIES = 20_000


def network_for(request: Request, session: Session) -> service.BinNetwork:
    """Streams, rounds and changes, reloaded at most once a minute per process (they change rarely)."""
    cached: tuple[float, service.BinNetwork] | None = getattr(request.app.state, "bin_network", None)
    now = time.monotonic()
    if cached is None or now - cached[0] > NETWORK_TTL_SECONDS:
        cached = (now, service.load_network(session))
        request.app.state.bin_network = cached
    return cached[1]


def forget_schedules(app: Any) -> None:
    """Drop this worker's cached streams, rounds and changes and its cached answers: the next request reads the
    database again. Other workers keep theirs until they expire (`NETWORK_TTL_SECONDS`, `bin_cache_seconds`)."""
    app.state.bin_network = None
    cache: TTLCache[tuple[Any, ...], Any] | None = getattr(app.state, "bin_cache", None)
    if cache is not None:
        cache.clear()


def forget_schedules_after_commit(request: Request, session: Session) -> None:
    """`forget_schedules` once `session` commits: cleared any earlier, a request running meanwhile could cache
    the schedule without the change for another minute."""
    app = request.app
    event.listen(session, "after_commit", lambda _session: forget_schedules(app), once=True)


def _calendar_feed(request: Request, uprn: int, today: date) -> service.CalendarFeed:
    with request.app.state.session_factory() as session:
        return service.calendar_feed(session, uprn=uprn, today=today, network=network_for(request, session))


def parse_day(value: str | None, name: str) -> date:
    if value is None:
        return clock.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name}: '{value[:20]}' is not a date in the form YYYY-MM-DD") from None


def collection_json(collection: Collection) -> dict[str, Any]:
    return {
        "stream": collection.stream.code.value,
        "colour": collection.stream.colour,
        "date": collection.date.isoformat() if collection.date else None,
        "original_date": collection.original_date.isoformat(),
        "reason": collection.reason.value if collection.reason else None,
    }


def response_cache(request: Request) -> TTLCache[tuple[Any, ...], Any]:
    """Recent answers of this worker, for `bin_cache_seconds` (a day's schedule is the same for everyone)."""
    state = request.app.state
    if getattr(state, "bin_cache", None) is None:
        state.bin_cache = TTLCache(max_entries=CACHE_ENTRIES, ttl_seconds=state.settings.bin_cache_seconds)
    cache: TTLCache[tuple[Any, ...], Any] = state.bin_cache
    return cache


def _collections_body(request: Request, uprn: int, first: date, days: int) -> bytes:
    with request.app.state.session_factory() as session:
        schedule = service.collections_for_property(
            session, uprn=uprn, start=first, days=days, network=network_for(request, session)
        )
    body = {
        "uprn": schedule.uprn,
        "address": schedule.address,
        "collections": [collection_json(c) for c in schedule.collections],
    }
    return json.dumps(body, separators=(",", ":")).encode()


def _query_days(request: Request) -> int:
    days = whole_number(request.query_params.get("days", str(DEFAULT_DAYS)))
    if days is None:
        raise InvalidInput(f"days: must be a whole number from 1 to {service.MAX_DAYS}")
    return days  # the range itself is checked by the service, with its own message


# Query parameters are read from the request, as on the address lookup (townhall/places/api.py): FastAPI's
# per-request validation of them costs more than a cached answer. They are declared here for OpenAPI.
_COLLECTION_PARAMETERS = [
    {"name": "from", "in": "query", "required": False, "description": "First day, YYYY-MM-DD; default today",
     "schema": {"type": "string", "format": "date"}},
    {"name": "days", "in": "query", "required": False, "description": f"How many days, 1 to {service.MAX_DAYS}",
     "schema": {"type": "integer", "minimum": 1, "maximum": service.MAX_DAYS, "default": DEFAULT_DAYS}},
]  # fmt: skip


@router.get(
    "/properties/{uprn}/collections",
    response_model=PropertyCollections,
    openapi_extra={"parameters": _COLLECTION_PARAMETERS},
)
async def property_collections(request: Request, uprn: UprnPath) -> Response:
    """A property's bin collections, ordered by date; a cancelled collection has `date` null and a reason."""
    start = request.query_params.get("from")
    first = parse_day(start[:20] if start else None, "from")
    days = _query_days(request)
    key = ("collections", uprn, first, days)
    body = response_cache(request).get(key)
    if body is None:
        body = await run_database_work(request, _collections_body, request, uprn, first, days)
        response_cache(request).put(key, body)
    # Built directly: the schema above documents it, and skipping re-validation keeps this hot path fast.
    return Response(body, media_type="application/json")


@feed_router.get(
    "/bins/{uprn}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "An RFC 5545 calendar"}},
)
async def calendar(request: Request, uprn: UprnPath) -> Response:
    """The coming year's collections as an iCalendar feed to subscribe to; answers 304 when unchanged."""
    today = clock.today()
    key = ("ics", uprn, today)
    cached: service.CalendarFeed | None = response_cache(request).get(key)
    if cached is None:
        feed = await run_database_work(request, _calendar_feed, request, uprn, today)
        response_cache(request).put(key, feed)
    else:
        feed = cached
    headers = {
        "ETag": feed.etag,
        "Last-Modified": feed.last_modified.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "Cache-Control": "public, max-age=3600",
        "Content-Disposition": f'inline; filename="bins-{uprn}.ics"',
    }
    if etag_matches(request.headers.get("if-none-match"), feed.etag):
        return Response(status_code=304, headers=headers)
    return Response(feed.body, media_type="text/calendar; charset=utf-8", headers=headers)


# Calendar clients and caches check a feed with HEAD: the same answer without its body (not in the API's
# document, where a second operation for one path would only repeat the first)
feed_router.add_api_route("/bins/{uprn}.ics", calendar, methods=["HEAD"], include_in_schema=False)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag``, as RFC 9110 reads it: a list of tags or "*", compared
    weakly (W/"x" matches "x"), so a cache that sends the tags of several copies still gets its 304."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == wanted for tag in (t.strip() for t in if_none_match.split(",")))
