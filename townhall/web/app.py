"""The application factory: one FastAPI app for pages, the JSON API and (later) Open311, built from settings."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from townhall import __version__
from townhall.config import Settings, get_settings
from townhall.db import make_engine, make_session_factory
from townhall.web.errors import install_error_handlers
from townhall.web.security import SecurityHeadersMiddleware
from townhall.web.services import ServiceLink
from townhall.web.templating import make_templates

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. Tests pass their own settings; `townhall serve` reads the environment."""
    settings = settings or get_settings()
    settings.check_for_production()
    app = FastAPI(
        title=f"{settings.council_name} API",
        version=__version__,
        description="Townhall's JSON API: addresses and properties, and each module's services.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    engine = make_engine(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.templates = make_templates()
    app.state.services = []
    app.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _include_modules(app)
    return app


def _include_modules(app: FastAPI) -> None:
    from townhall.places import api as places_api
    from townhall.places import pages as places_pages
    from townhall.web import pages as web_pages

    app.include_router(web_pages.router)
    app.include_router(places_api.router, prefix="/api/v1")
    app.include_router(places_pages.router)
    app.state.services.append(
        ServiceLink("Find an address", "Look up the addresses at a postcode and their ward.", "/find-address")
    )
