"""The bin-day pages: postcode (sent by POST, never in the web address), then the address, then the next
collection of each stream, the changes coming up and the calendar feed. Work without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from starlette.responses import HTMLResponse

from townhall.bins import service
from townhall.bins.api import network_for
from townhall.bins.wording import day_and_date, describe_when
from townhall.places.service import addresses_at_postcode
from townhall.platform import clock
from townhall.platform.errors import InvalidInput
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/bin-day", response_class=HTMLResponse)
def find_bin_day_form(request: Request) -> HTMLResponse:
    return render(request, "bins/find.html", {"postcode": "", "error": None, "addresses": None})


@router.post("/bin-day", response_class=HTMLResponse)
def find_bin_day(
    request: Request, session: SessionDep, postcode: Annotated[str, Form(max_length=100)] = ""
) -> HTMLResponse:
    try:
        addresses = addresses_at_postcode(session, postcode=postcode)
    except InvalidInput as error:
        context = {"postcode": postcode, "error": error.message, "addresses": None}
        return render(request, "bins/find.html", context, status_code=422)
    return render(request, "bins/find.html", {"postcode": postcode, "error": None, "addresses": addresses})


@router.get("/bin-day/{uprn}", response_class=HTMLResponse)
def bin_day(request: Request, session: SessionDep, uprn: Annotated[int, Path(gt=0, lt=10**12)]) -> HTMLResponse:
    today = clock.today()
    outlook = service.bin_day_outlook(session, uprn=uprn, today=today, network=network_for(request, session))
    context = {
        "outlook": outlook,
        "when": lambda day: _sentence_case(describe_when(day, today)),
        "day_and_date": lambda day: day_and_date(day, today=today),
        "feed_path": f"/bins/{uprn}.ics",
    }
    return render(request, "bins/bin_day.html", context)


def _sentence_case(text: str) -> str:
    """ "Today" and "Tomorrow" at the start of a line; dates are capitalised already."""
    return text[:1].upper() + text[1:]
