"""Open311 GeoReport v2 under /open311/v2 (XML or JSON by suffix), with FixMyStreet's service request updates.

Every route is public: reading is open data, and `POST requests` authenticates by its `api_key` form field
(scope `open311:write`). Errors are the specification's error lists with 400, 403 or 404.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, QueryParams
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from townhall.identity.access import client_address, public
from townhall.identity.apikeys import Unauthenticated, record_api_key_use, verify_api_key
from townhall.platform.errors import Forbidden, NotFound, TownhallError
from townhall.service_requests import open311_queries as queries
from townhall.service_requests.catalogue import list_services, service_by_code
from townhall.service_requests.models import RequestUpdate, reference_for
from townhall.service_requests.open311_form import new_request_from_form
from townhall.service_requests.open311_cache import READ_CACHE_SECONDS, AnswerCache, answer_key
from townhall.service_requests.open311_format import (
    FORMATS,
    discovery_document,
    document_bytes,
    error_response,
    request_document,
    respond,
    service_definition,
    service_summary,
    w3c,
)
from townhall.service_requests.service import RequestProblems, create_request
from townhall.web.deps import SessionDep, run_database_work, transaction

router = APIRouter(prefix="/open311", dependencies=[Depends(public)], include_in_schema=False)
Format = Annotated[str, "xml or json"]
T = TypeVar("T")


def _error_for(fmt: str, error: Exception) -> Response:
    """The spec's error list for every error a client can act on; anything else is a real fault and re-raised."""
    if isinstance(error, queries.FilterProblem):
        return error_response(fmt, 400, [str(error)])
    if isinstance(error, RequestProblems):
        return error_response(fmt, 400, [f"{field}: {message}" for field, message in error.problems])
    if isinstance(error, Unauthenticated | Forbidden):
        return error_response(fmt, 403, [f"api_key: {error.message}"])
    if isinstance(error, TownhallError):
        return error_response(fmt, 404 if isinstance(error, NotFound) else 400, [error.message])
    raise error


def _answer(fmt: str, build: Callable[[], Response]) -> Response:
    """Run `build`, turning every error a client can act on into the spec's error list."""
    if fmt not in FORMATS:
        return error_response("xml", 404, ["Ask for .xml or .json"])
    try:
        return build()
    except Exception as error:
        return _error_for(fmt, error)


@router.get("/discovery.{fmt}")
def discovery(request: Request, fmt: Format) -> Response:
    settings = request.app.state.settings
    base = str(request.base_url).rstrip("/")
    document = discovery_document(base, council=settings.council_name, email=settings.council_email)
    return _answer(fmt, lambda: respond(fmt, document, root="discovery"))


@router.get("/v2/services.{fmt}")
def services(session: SessionDep, fmt: Format) -> Response:
    def build() -> Response:
        rows = [service_summary(s) for s in list_services(session)]
        return respond(fmt, rows, root="services", item="service")

    return _answer(fmt, build)


@router.get("/v2/services/{service_code}.{fmt}")
def service(session: SessionDep, service_code: str, fmt: Format) -> Response:
    def build() -> Response:
        found = service_by_code(session, code=service_code)
        return respond(fmt, service_definition(found), root="service_definition")

    return _answer(fmt, build)


def idempotency_key_for(api_key_id: int, form: FormData) -> tuple[str, str | None]:
    """The client's token when it sends one; otherwise its device_id with a hash of everything it sent."""
    token = str(form.get("token") or "").strip()[:100] or None
    if token:
        return f"open311:{api_key_id}:token:{token}", token
    content = sorted((k, str(v)) for k, v in form.multi_items() if k != "api_key")
    digest = hashlib.sha256(repr(content).encode()).hexdigest()
    return f"open311:{api_key_id}:{str(form.get('device_id') or '')[:60]}:{digest}", None


def _create(session: Session, form: FormData, client: str) -> list[dict[str, str | None]]:
    raw_key = str(form.get("api_key") or "")
    if not raw_key:
        raise Unauthenticated("api_key is required to submit a request")
    key = verify_api_key(session, raw_key, "open311:write")
    idempotency_key, token = idempotency_key_for(key.id, form)
    new = new_request_from_form(form, idempotency_key=idempotency_key, token=token)
    try:
        created, _ = create_request(session, new=new)
    except NotFound as unknown:  # an unknown service on a create is a bad request, not a missing page
        raise RequestProblems([("service_code", unknown.message)]) from None
    answer: dict[str, str | None] = {"service_request_id": created.reference}
    if token:
        answer["token"] = token
    answer |= {"service_notice": f"We aim to respond by {w3c(created.expected_at)}", "account_id": None}
    # Last, because it locks the key's row (once a minute) and the audit chain's head until the commit below:
    # every create by this client queues on those locks, so they must be held for the commit and nothing else.
    record_api_key_use(session, key, "open311:write", client=client)
    return [answer]


# Every create queues for the audit chain's head (one at a time until each commits). Bounding the threads that
# run creates keeps that queue in this process instead of in PostgreSQL: under 50 clients the p99 fell from
# 1.1 s (the default 40 threads) to 0.64-0.76 s, with throughput unchanged within noise (docs/benchmarks.md).
CREATE_THREADS = 8


async def _run_create(request: Request, form: FormData) -> list[dict[str, str | None]]:
    if request.app.state.settings.is_sqlite:
        return await run_database_work(request, _in_transaction, request, _create, form, client_address(request))
    state = request.app.state
    if getattr(state, "open311_create_limiter", None) is None:
        state.open311_create_limiter = anyio.CapacityLimiter(CREATE_THREADS)
    work = partial(_in_transaction, request, _create, form, client_address(request))
    return await anyio.to_thread.run_sync(work, limiter=state.open311_create_limiter)


def _in_transaction(request: Request, work: Callable[..., T], *args: Any) -> T:
    """`work(session, *args)` in a transaction of its own, committed before the answer is sent."""
    with transaction(request) as session:
        return work(session, *args)


# The hot routes below take the Request alone and read `fmt` from the path: FastAPI's per-request parameter
# validation would cost more than the routing itself. They open their session in the worker thread and commit
# there, so a transaction (and any lock it holds) never waits for the event loop.
@router.post("/v2/requests.{fmt}")
async def post_request(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in FORMATS:
        return error_response("xml", 404, ["Ask for .xml or .json"])
    try:
        form = await request.form()
    except ClientDisconnect:  # the client gave up before sending its form: nothing was received, nothing to answer
        return Response(status_code=400)
    try:
        rows = await _run_create(request, form)
    except Exception as error:
        return _error_for(fmt, error)
    return respond(fmt, rows, root="service_requests", item="request")


def _filters(params: QueryParams) -> queries.RequestFilters:
    return queries.RequestFilters(
        ids=[i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()],
        service_codes=[c.strip() for c in params.get("service_code", "").split(",") if c.strip()],
        start=queries.parse_w3c("start_date", params.get("start_date")),
        end=queries.parse_w3c("end_date", params.get("end_date")),
        status=params.get("status", ""),
    )


def _read_requests(session: Session, fmt: str, filters: queries.RequestFilters, one: bool) -> bytes:
    rows = queries.find_requests(session, filters=filters)
    if one and not rows:
        raise NotFound(f"There is no service request {filters.ids[0][:20]!r}. Check the reference and try again.")
    return document_bytes(fmt, [request_document(r) for r in rows], root="service_requests", item="request")


def _answer_cache(request: Request) -> AnswerCache:
    state = request.app.state
    cache: AnswerCache | None = getattr(state, "open311_answers", None)
    if cache is None:
        cache = state.open311_answers = AnswerCache()
    return cache


async def _requests_answer(request: Request, filters: Callable[[], queries.RequestFilters], one: bool) -> Response:
    """A list from the per-process answer cache (see `open311_cache`); a read by id straight from the database."""
    fmt = request.path_params["fmt"]
    if fmt not in FORMATS:
        return error_response("xml", 404, ["Ask for .xml or .json"])
    try:
        wanted = filters()
        key = answer_key(fmt, wanted)

        async def read() -> bytes:
            return await run_database_work(request, _in_transaction, request, _read_requests, fmt, wanted, one)

        if key is None:
            return Response(await read(), media_type=FORMATS[fmt])
        answer = await _answer_cache(request).get(key, read)
    except Exception as error:
        return _error_for(fmt, error)
    headers = {"etag": answer.etag, "cache-control": f"public, max-age={int(READ_CACHE_SECONDS)}"}
    if request.headers.get("if-none-match") == answer.etag:
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type=FORMATS[fmt], headers=headers)


@router.get("/v2/requests.{fmt}")
async def get_requests(request: Request) -> Response:
    return await _requests_answer(request, lambda: _filters(request.query_params), one=False)


@router.get("/v2/requests/{service_request_id}.{fmt}")
async def get_request(request: Request) -> Response:
    reference = request.path_params["service_request_id"]
    return await _requests_answer(request, lambda: queries.RequestFilters(ids=[reference]), one=True)


@router.get("/v2/tokens/{token}.{fmt}")
def get_token(session: SessionDep, token: str, fmt: Format) -> Response:
    def build() -> Response:
        found = queries.request_by_token(session, token=token)
        if found is None:
            raise NotFound(f"There is no request for the token {token[:100]!r}")
        rows = [{"service_request_id": found.reference, "token": token}]
        return respond(fmt, rows, root="service_requests", item="request")

    return _answer(fmt, build)


def _update_document(update: RequestUpdate, reference: str) -> dict[str, object]:
    return {
        "update_id": str(update.id),
        "service_request_id": reference,
        "status": update.status,
        "updated_datetime": w3c(update.created_at),
        "description": update.public_note,
        "media_url": None,
    }


@router.get("/v2/servicerequestupdates.{fmt}")
def service_request_updates(request: Request, session: SessionDep, fmt: Format) -> Response:
    """FixMyStreet's extension: every public change in a window, with our detailed status."""
    params = request.query_params

    def build() -> Response:
        start = queries.parse_w3c("start_date", params.get("start_date"))
        end = queries.parse_w3c("end_date", params.get("end_date"))
        updates = queries.updates_between(session, start=start, end=end)
        rows = [_update_document(u, reference_for(u.request_id)) for u in updates]
        return respond(fmt, rows, root="service_request_updates", item="request_update")

    return _answer(fmt, build)
