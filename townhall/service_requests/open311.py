"""Open311 GeoReport v2 under /open311/v2 (XML or JSON by suffix), with FixMyStreet's service request updates.

Every route is public: reading is open data, and `POST requests` authenticates by its `api_key` form field
(scope `open311:write`). Errors are the specification's error lists with 400, 403 or 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, QueryParams, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.routing import Route

from townhall.identity.access import client_address, public
from townhall.identity.apikeys import Unauthenticated
from townhall.platform.errors import Forbidden, NotFound, TownhallError
from townhall.service_requests import changes
from townhall.service_requests import open311_queries as queries
from townhall.service_requests.catalogue import list_services, service_by_code
from townhall.service_requests.models import RequestUpdate, reference_for
from townhall.service_requests.open311_cache import READ_CACHE_SECONDS, AnswerCache, answer_key
from townhall.service_requests.open311_create import MAX_BATCH, WRITERS, Answer, GroupCommit, Submission, create_batch
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
from townhall.service_requests.service import RequestProblems
from townhall.web.control_characters import refused_field
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


def _in_transaction(request: Request, work: Callable[..., T], *args: Any) -> T:
    """`work(session, *args)` in a transaction of its own, committed before the answer is sent."""
    with transaction(request) as session:
        return work(session, *args)


def _write_batch(request: Request, submissions: list[Submission]) -> list[Answer | Exception]:
    """One transaction for the batch, committed before any answer goes out; if the transaction itself fails,
    each submission is tried on its own, so one bad row cannot take the others' answers with it."""
    try:
        with transaction(request) as session:
            answers: list[Answer | Exception] = list(create_batch(session, submissions))
    except Exception as error:
        if len(submissions) == 1:
            return [error]
        return [_write_batch(request, [one])[0] for one in submissions]
    changes.note_change()
    return answers


def _group_commit(request: Request) -> GroupCommit[Submission, Answer]:
    state = request.app.state
    committer: GroupCommit[Submission, Answer] | None = getattr(state, "open311_group_commit", None)
    if committer is None:
        # The writer outlives this request: it keeps only the app (settings, sessions, a test's override).
        anchor = Request({"type": "http", "app": request.app, "headers": []})

        async def write(submissions: list[Submission]) -> list[Answer | Exception]:
            return await run_database_work(anchor, _write_batch, anchor, submissions)

        committer = state.open311_group_commit = GroupCommit(write, MAX_BATCH, writers=WRITERS)
    return committer


MAX_FORM_FIELDS = 1000  # as Starlette's form parser: a create has a dozen
MAX_FORM_BYTES = 1024 * 1024


class FormProblem(Exception):
    """A form too large to be a service request."""


def _urlencoded_form(body: bytes) -> FormData:
    """A urlencoded form, decoded as Starlette's parser does (latin-1 bytes, then percent escapes as UTF-8), in a
    fraction of its time: python-multipart's streaming callbacks cost more than the rest of a create's parsing."""
    if len(body) > MAX_FORM_BYTES:
        raise FormProblem(f"The form is larger than {MAX_FORM_BYTES // 1024} KB.")
    fields = [field for field in body.decode("latin-1").split("&") if field]
    if len(fields) > MAX_FORM_FIELDS:
        raise FormProblem(f"The form has more than {MAX_FORM_FIELDS} fields.")
    items: list[tuple[str, str | UploadFile]] = []
    for field in fields:
        name, _, value = field.partition("=")
        items.append((unquote_plus(name), unquote_plus(value)))
    return FormData(items)


async def _read_form(request: Request) -> FormData:
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _urlencoded_form(await request.body())
    return await request.form()  # multipart (a client sending media): Starlette's parser


# The hot routes below are plain Starlette routes, matched before every FastAPI route (see `HOT_ROUTES`): no
# dependency resolution (Open311 is public and exempt from CSRF), no per-request parameter validation. They open
# their session in the worker thread and commit there, so a transaction (and any lock it holds) never waits for the
# event loop.
async def post_request(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in FORMATS:
        return error_response("xml", 404, ["Ask for .xml or .json"])
    try:
        form = await _read_form(request)
    except ClientDisconnect:  # the client gave up before sending its form: nothing was received, nothing to answer
        return Response(status_code=400)
    except FormProblem as problem:
        return error_response(fmt, 400, [str(problem)])
    except HTTPException as problem:  # Starlette's answer to a multipart body it cannot parse: an HTML page
        return error_response(fmt, problem.status_code, [f"The form could not be read: {problem.detail}"])
    refused = refused_field(form.multi_items())
    if refused is not None:
        await form.close()
        return error_response(fmt, 400, [f"{refused[0]}: {refused[1]}"])
    try:
        rows = await _group_commit(request).submit(Submission(form, client_address(request)))
    except Exception as error:
        return _error_for(fmt, error)
    finally:
        await form.close()  # a multipart form's uploads are temporary files
    return respond(fmt, rows, root="service_requests", item="request")


def _filters(params: QueryParams) -> queries.RequestFilters:
    refused = refused_field(params.multi_items())
    if refused is not None:
        raise queries.FilterProblem(*refused)
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


async def get_requests(request: Request) -> Response:
    # Pollers send the same query strings over and over: each is parsed once per process (errors never kept).
    raw: bytes = request.scope["query_string"]
    return await _requests_answer(request, lambda: _answer_cache(request).filters(raw, _filters), one=False)


async def get_request(request: Request) -> Response:
    reference = request.path_params["service_request_id"]
    return await _requests_answer(request, lambda: queries.RequestFilters(ids=[reference]), one=True)


# Open311's busiest routes, as plain Starlette routes: `create_app` puts them first, so they are matched before
# the hundred-odd FastAPI routes and skip the app-wide dependencies. Their paths are in `PUBLIC_PATHS`.
HOT_ROUTES = [
    Route("/open311/v2/requests.{fmt}", post_request, methods=["POST"]),
    Route("/open311/v2/requests.{fmt}", get_requests, methods=["GET"]),
    Route("/open311/v2/requests/{service_request_id}.{fmt}", get_request, methods=["GET"]),
]


@router.get("/v2/tokens/{token}.{fmt}")
def get_token(session: SessionDep, token: str, fmt: Format) -> Response:
    def build() -> Response:
        found = queries.requests_by_token(session, token=token)
        if not found:
            raise NotFound(f"There is no request for the token {token[:100]!r}")
        rows = [{"service_request_id": request.reference, "token": token} for request in found]
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
