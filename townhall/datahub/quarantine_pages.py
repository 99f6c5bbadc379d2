"""Information governance's view of the ingestion quarantine: rows that failed their source's contract.

The page shows how many rows each source has held back and from which extract, and the reasons row by row (a
source at a time, or all, newest extract first), a page at a time. The reasons can name a value from the row, so
each showing is audited (with the IG officer's standing purpose). The rows as received are only in the CSV export,
which needs a purpose given for it and is audited too.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from townhall.datahub import service
from townhall.identity.access import client_address, requires
from townhall.identity.models import User
from townhall.identity.service import actor_for
from townhall.platform.audit import record_access
from townhall.platform.errors import InvalidInput
from townhall.platform.numbers import whole_number
from townhall.web.deps import SessionDep
from townhall.web.pagination import page_count, page_numbers
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
IgOfficer = Annotated[User, Depends(requires("ig_officer"))]
Text = Annotated[str, Form(max_length=300)]
PAGE_SIZE = 200
SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def _chosen_source(text: str) -> str | None:
    """The source asked for, by its registered name ("Council tax" and "council-tax" too), or None for all of
    them. A name that cannot be a source is refused: showing or exporting every source's rows instead would
    disclose what was not asked for."""
    name = re.sub(r"[\s-]+", "_", text.strip().lower())
    if not name:
        return None
    if not SOURCE_NAME.match(name):
        raise InvalidInput(f"There is no source called '{text.strip()[:60]}': choose one from the list.")
    return name


# The reasons name values from the rows (a date of birth, a postcode), so every showing of them is audited. The
# page is for information governance officers alone, whose role is this purpose.
VIEW_PURPOSE = "Information governance: review rows that failed their source's contract"


def _quarantine_page(
    request: Request,
    session: Session,
    user: User,
    *,
    source: str | None,
    page: int,
    purpose: str = "",
    error: str | None = None,
) -> HTMLResponse:
    record_access(session, actor=actor_for(user), action="view_quarantine", subject_type="datahub_quarantine",
                  subject_id=source or "all", purpose=VIEW_PURPOSE, client=client_address(request))  # fmt: skip
    summary = service.quarantine_summary(session)
    pages = page_count(
        sum(s.rows for s in summary if source is None or s.source == source), PAGE_SIZE
    )  # the page asked for, within the pages there are
    shown = service.quarantine_page(session, source=source, page=min(max(page, 1), pages), size=PAGE_SIZE)
    current = shown.offset // PAGE_SIZE + 1
    context = {
        "summary": summary, "shown": shown, "source": source, "all_rows": sum(s.rows for s in summary),
        "page_number": current, "pages": pages, "page_numbers": page_numbers(current, pages),
        "query_string": urlencode({"source": source} if source else {}), "purpose": purpose, "error": error,
        "retention_days": request.app.state.settings.datahub_quarantine_retention_days,
    }  # fmt: skip
    return render(request, "datahub/quarantine.html", context, status_code=422 if error else 200)


@router.get("/datahub/quarantine", response_class=HTMLResponse)
def quarantine_page(request: Request, session: SessionDep, user: IgOfficer) -> HTMLResponse:
    """Rows that failed their source's contract, with the reason (counts and reasons; raw rows only in the export).

    `?source=` shows one source; `?page=` a page of PAGE_SIZE rows.
    """
    params = request.query_params
    page = params.get("page", "1")[:6]
    return _quarantine_page(request, session, user, source=_chosen_source(params.get("source", "")[:60]),
                            page=whole_number(page) or 1)  # fmt: skip


@router.post("/datahub/quarantine.csv", response_model=None)
def quarantine_export(
    request: Request, session: SessionDep, user: IgOfficer, purpose: Text = "", source: Text = ""
) -> Response:
    """The quarantined rows (of one source, if chosen) as CSV; they hold personal data, so the export needs a
    purpose and is audited."""
    chosen = _chosen_source(source)
    try:
        record_access(session, actor=actor_for(user), action="export_quarantine", subject_type="datahub_quarantine",
                      subject_id=chosen or "all", purpose=purpose, client=client_address(request))  # fmt: skip
    except InvalidInput:
        error = "Enter why you are exporting the rows"
        return _quarantine_page(request, session, user, source=chosen, page=1, purpose=purpose, error=error)
    body = service.quarantine_csv(session, source=chosen)
    name = f"datahub-quarantine-{chosen}.csv" if chosen else "datahub-quarantine.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
