"""The application factory: one FastAPI app for pages, the JSON API and (later) Open311, built from settings."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp

from townhall import __version__
from townhall.config import Settings, get_settings
from townhall.db import make_engine, make_session_factory
from townhall.web.control_characters import refuse_control_characters
from townhall.web.csrf import CsrfCookieMiddleware, verify_csrf
from townhall.web.errors import install_error_handlers
from townhall.web.security import SecurityHeadersMiddleware
from townhall.web.services import ServiceLink
from townhall.web.templating import make_templates

STATIC = Path(__file__).parent / "static"
# FastAPI records OpenTelemetry spans, metrics and logs by default, and asks OpenTelemetry on every request whether
# a provider is configured; with none configured that is wasted work on every request (see docs/configuration.md).
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


class _TownhallApp(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # The security headers wrap Starlette's own error layer too, which `add_middleware` cannot reach: the page
        # for an unexpected error is sent from there, and would otherwise go without them
        return SecurityHeadersMiddleware(super().build_middleware_stack())


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. Tests pass their own settings; `townhall serve` reads the environment."""
    settings = settings or get_settings()
    settings.check_for_production()
    app = _TownhallApp(
        title=f"{settings.council_name} API",
        version=__version__,
        description="Townhall's JSON API: addresses and properties, and each module's services.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        # Every form, present and future, is checked (see web/csrf.py), and every input for control characters.
        dependencies=[Depends(verify_csrf), Depends(refuse_control_characters)],
        telemetry=None if settings.opentelemetry else NO_TELEMETRY,
        lifespan=_start_up,
    )
    engine = make_engine(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.templates = make_templates()
    app.state.services = []
    app.add_middleware(CsrfCookieMiddleware, settings=settings)
    install_error_handlers(app)
    _include_modules(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


@asynccontextmanager
async def _start_up(app: FastAPI) -> AsyncIterator[None]:
    """When a worker starts: the assistant's engine prepared in the background (``assistant_warm_up``), then the
    objects the worker holds for its lifetime (modules, the app's routes, SQLAlchemy's mappers and compiled
    statements) moved out of the cyclic collector's sight: otherwise each full collection walks all of them again,
    a pause of tens of milliseconds that lands on whichever requests are in flight."""
    settings: Settings = app.state.settings
    if settings.assistant_warm_up and settings.environment != "test":  # each test app would train for 5-20 s
        from townhall.assistant.engine_store import warm_up_in_background

        warm_up_in_background(app.state.session_factory, settings)
    gc.collect()
    gc.freeze()
    yield


def _include_modules(app: FastAPI) -> None:
    from townhall.assistant import api as assistant_api
    from townhall.assistant import chat_pages as assistant_chat_pages
    from townhall.assistant import knowledge_pages as assistant_knowledge_pages
    from townhall.assistant import review_pages as assistant_review_pages
    from townhall.assistant import staff_pages as assistant_staff_pages
    from townhall.assistant import transcript_api as assistant_transcript_api
    from townhall.bins import api as bins_api
    from townhall.bins import officer_pages as bins_officer_pages
    from townhall.bins import pages as bins_pages
    from townhall.counciltax import api as counciltax_api
    from townhall.counciltax import pages as counciltax_pages
    from townhall.datahub import pages as datahub_pages
    from townhall.datahub import quarantine_pages as datahub_quarantine_pages
    from townhall.identity import account_pages, audit_pages
    from townhall.identity import api as identity_api
    from townhall.identity import pages as identity_pages
    from townhall.identity.handlers import install_identity_handlers
    from townhall.identity.linking import default_verifier
    from townhall.places import api as places_api
    from townhall.places import pages as places_pages
    from townhall.service_requests import api as service_requests_api
    from townhall.service_requests import officer_pages, open311
    from townhall.service_requests import pages as service_requests_pages
    from townhall.service_requests.missed_bins import default_missed_collection_rules, install_missed_collection_rules
    from townhall.web import pages as web_pages

    install_identity_handlers(app)
    app.state.account_link_verifier = default_verifier()
    # JSON routes first: routes are matched in order, and the API carries the heaviest traffic.
    app.include_router(places_api.router, prefix="/api/v1")
    app.include_router(bins_api.router, prefix="/api/v1")
    app.include_router(bins_api.feed_router)
    app.include_router(counciltax_api.router, prefix="/api/v1")
    app.include_router(identity_api.router, prefix="/api/v1")
    app.include_router(service_requests_api.router, prefix="/api/v1")
    app.include_router(assistant_api.router, prefix="/api/v1")
    app.include_router(assistant_transcript_api.router, prefix="/api/v1")
    app.include_router(open311.router)
    app.include_router(web_pages.router)
    app.include_router(identity_pages.router)
    app.include_router(account_pages.router)
    app.include_router(audit_pages.router)
    app.include_router(places_pages.router)
    app.include_router(bins_pages.router)
    app.include_router(bins_officer_pages.router)
    app.include_router(counciltax_pages.router)
    app.include_router(service_requests_pages.router)
    app.include_router(officer_pages.router)
    app.include_router(datahub_pages.router)
    app.include_router(datahub_quarantine_pages.router)
    app.include_router(assistant_chat_pages.router)
    app.include_router(assistant_staff_pages.router)
    app.include_router(assistant_review_pages.router)
    app.include_router(assistant_knowledge_pages.router)
    # Open311's hot routes are plain Starlette routes, first in the list (see open311.HOT_ROUTES).
    app.router.routes[0:0] = open311.HOT_ROUTES
    install_missed_collection_rules(default_missed_collection_rules())  # the one place the rules are chosen
    app.state.services.extend(
        [
            ServiceLink(
                "Find your bin collection day",
                "When your rubbish, recycling, food and garden waste are collected, and changes coming up.",
                "/bin-day",
            ),
            ServiceLink(
                "Check your Council Tax band and charge",
                "Find the band of a home and what it pays this year, and where the money goes.",
                "/council-tax/band",
            ),
            ServiceLink(
                "Report a problem",
                "Potholes, street lights, fly-tipping, missed bins, noise and more; follow a report you made.",
                "/report-a-problem",
            ),
            ServiceLink("Find an address", "Look up the addresses at a postcode and their ward.", "/find-address"),
            ServiceLink(
                "Ask the council's assistant",
                "Questions about bins, council tax and reporting problems, at any hour; a person in office hours.",
                "/assistant",
            ),
        ]
    )
