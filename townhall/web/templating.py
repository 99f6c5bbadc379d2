"""Jinja2 templates: the shared layout in web/templates, each module's pages in its own templates folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from townhall.web.csrf import csrf_input

PACKAGE = Path(__file__).resolve().parent.parent
# Modules whose templates/ folder holds pages; a new module with pages adds its name here.
MODULES_WITH_PAGES = ("web", "places", "identity", "bins", "counciltax", "service_requests", "datahub", "assistant")


def make_templates() -> Jinja2Templates:
    folders = [PACKAGE / module / "templates" for module in MODULES_WITH_PAGES]
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(folder) for folder in folders if folder.is_dir()]),
        autoescape=select_autoescape(default=True),  # everything a person typed is escaped wherever it is shown
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["csrf_input"] = csrf_input  # {{ csrf_input() }} in every POST form
    return Jinja2Templates(env=environment)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """A page, with the council's settings and the service list available to every template."""
    templates: Jinja2Templates = request.app.state.templates
    settings = request.app.state.settings
    full_context = {"settings": settings, "services": request.app.state.services, **(context or {})}
    return templates.TemplateResponse(request, template, full_context, status_code=status_code)
