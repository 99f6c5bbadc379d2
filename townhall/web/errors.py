"""Turn every error into a clear answer: JSON `{"detail": ...}` for the API, a GOV.UK-style page for people.

Nothing here ever shows a traceback; unexpected errors are logged on the server and the person is told what
to do next.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from townhall.platform.errors import TownhallError
from townhall.web.templating import render

log = logging.getLogger("townhall.web")

TITLES = {
    400: "There is a problem with your request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "This page cannot be used that way",
    409: "This has already been done",
    422: "There is a problem with what you entered",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz" or "application/json" in request.headers.get("accept", "")


def readable_validation_errors(errors: Sequence[Any]) -> str:
    """ "postcode: String should have at most 16 characters" from pydantic's error list."""
    sentences = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body", "form")]
        field = ".".join(location) or "request"
        message = error.get("msg", "is not valid")
        if error.get("type") == "int_parsing":
            message = "must be a whole number"
        elif error.get("type") == "missing":
            message = "is required"
        sentences.append(f"{field}: {message}")
    return "; ".join(sentences)


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    title = TITLES.get(status, TITLES[400])
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


async def _townhall_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, TownhallError)
    return error_response(request, error.status_code, error.message)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return error_response(request, 422, readable_validation_errors(error.errors()))


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    message = error.detail if isinstance(error.detail, str) and error.status_code != 404 else ""
    if error.status_code == 404 and not message:
        message = "If you typed the web address, check it is correct. If you pasted it, check you copied all of it."
    response = error_response(request, error.status_code, message)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def _unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(request, 500, "Try again later. If it keeps happening, contact the council.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TownhallError, _townhall_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
