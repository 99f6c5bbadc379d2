"""The gazetteer's JSON API: addresses by postcode or by search, and one property by UPRN.

The postcode lookup starts every resident's journey (bins, council tax, reporting), so it is the hottest route:
it reads in one short session, serialises with pydantic-core straight to bytes, and keeps recent answers in a
per-worker cache for `address_cache_seconds`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import TypeAdapter
from starlette.responses import Response

from townhall.places import service
from townhall.places.postcodes import InvalidPostcode, normalise_postcode
from townhall.places.schemas import AddressSummary, PropertyDetail
from townhall.platform.cache import TTLCache
from townhall.platform.errors import InvalidInput
from townhall.platform.numbers import whole_number
from townhall.web.deps import SessionDep, run_database_work

router = APIRouter(tags=["addresses"])

UprnPath = Annotated[int, Path(gt=0, lt=10**12, description="Unique Property Reference Number")]
_ADDRESS_LIST = TypeAdapter(list[AddressSummary])
CACHE_ENTRIES = 20_000


def address_cache(request: Request) -> TTLCache[str, bytes]:
    """The app's cache of postcode lookups, made on first use with the app's settings."""
    state = request.app.state
    if getattr(state, "address_cache", None) is None:
        state.address_cache = TTLCache(max_entries=CACHE_ENTRIES, ttl_seconds=state.settings.address_cache_seconds)
    cache: TTLCache[str, bytes] = state.address_cache
    return cache


def _json(addresses: list[AddressSummary]) -> bytes:
    return _ADDRESS_LIST.dump_json(addresses)


def _read_addresses(request: Request, canonical: str) -> bytes:
    with request.app.state.session_factory() as session:
        return _json(service.addresses_at_postcode(session, postcode=canonical))


def _search(request: Request, query: str, limit: int) -> bytes:
    with request.app.state.session_factory() as session:
        return _json(service.search_addresses(session, query=query, limit=limit))


async def _addresses_at(request: Request, postcode: str) -> bytes:
    cache = address_cache(request)
    key = "".join(postcode.split()).upper()  # every spelling of one postcode shares an entry
    body = cache.get(key)
    if body is None:
        try:
            canonical = normalise_postcode(postcode)
        except InvalidPostcode as error:
            raise InvalidInput(str(error)) from None
        body = await run_database_work(request, _read_addresses, request, canonical)
        cache.put(key, body)
    return body


def _query_text(request: Request, name: str, max_length: int) -> str | None:
    value = request.query_params.get(name)
    if value is not None and len(value) > max_length:
        raise InvalidInput(f"{name}: should have at most {max_length} characters")
    return value


def _query_limit(request: Request) -> int:
    limit = whole_number(request.query_params.get("limit", "20"))
    if limit is None or not 1 <= limit <= service.MAX_SEARCH_RESULTS:
        raise InvalidInput(f"limit: must be a whole number from 1 to {service.MAX_SEARCH_RESULTS}")
    return limit


# The parameters are read from the request directly rather than declared as function arguments: FastAPI's
# per-request parameter validation costs more than the whole cached lookup (see docs/benchmarks.md). They are
# declared here for the OpenAPI document instead, and checked as strictly by the helpers above.
_ADDRESS_PARAMETERS = [
    {"name": "postcode", "in": "query", "required": False, "description": "Any spacing or case: 'zx1 2ab'",
     "schema": {"type": "string", "maxLength": 16}},
    {"name": "q", "in": "query", "required": False, "description": "Part of an address: '12 high st'",
     "schema": {"type": "string", "maxLength": 100}},
    {"name": "limit", "in": "query", "required": False, "description": "Most results for q",
     "schema": {"type": "integer", "minimum": 1, "maximum": service.MAX_SEARCH_RESULTS, "default": 20}},
]  # fmt: skip


@router.get(
    "/addresses",
    response_model=list[AddressSummary],
    openapi_extra={"parameters": _ADDRESS_PARAMETERS},
    responses={422: {"description": "An invalid postcode or query; `detail` says what is wrong"}},
)
async def list_addresses(request: Request) -> Response:
    """Addresses at a postcode (`postcode`), or matching what was typed (`q`)."""
    postcode = _query_text(request, "postcode", 16)
    q = _query_text(request, "q", 100)
    limit = _query_limit(request)
    if postcode is not None:
        body = await _addresses_at(request, postcode)
    elif q is not None:
        body = await run_database_work(request, _search, request, q, limit)
    else:
        raise InvalidInput("Give a postcode (?postcode=) or part of an address (?q=)")
    return Response(content=body, media_type="application/json")


@router.get("/properties/{uprn}", response_model=PropertyDetail)
def get_property(session: SessionDep, uprn: UprnPath) -> PropertyDetail:
    """One property by UPRN; 404 if it is not in the gazetteer."""
    return service.property_by_uprn(session, uprn=uprn)
