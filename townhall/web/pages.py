"""The pages every council site has: home, health check, accessibility statement and privacy notice."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text
from starlette.responses import HTMLResponse, JSONResponse

from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/healthz", tags=["operations"])
def health(session: SessionDep) -> JSONResponse:
    """Whether the service and its database answer; 503 when the database does not."""
    try:
        session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy", whatever the driver raised
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/accessibility", response_class=HTMLResponse, include_in_schema=False)
def accessibility_statement(request: Request) -> HTMLResponse:
    return render(request, "accessibility.html")


@router.get("/privacy", response_class=HTMLResponse, include_in_schema=False)
def privacy_notice(request: Request) -> HTMLResponse:
    return render(request, "privacy.html")
