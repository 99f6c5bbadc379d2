"""The bin-day pages: postcode (sent by POST, never in the web address), then the address, then the next
collection of each stream, the changes coming up and the calendar feed. Work without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse

from townhall.bins import service
from townhall.bins.api import network_for
from townhall.bins.wording import day_and_date, describe_when
from townhall.places.pages import AddressPicker, PostcodeForm, address_picker_page
from townhall.platform import clock
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)


BIN_DAY = AddressPicker(
    "Find your bin collection day",
    "See when your rubbish, recycling, food and garden waste are collected, and any changes coming up.",
    "/bin-day",
    "/bin-day/",
)


@router.get("/bin-day", response_class=HTMLResponse)
def find_bin_day_form(request: Request, session: SessionDep) -> HTMLResponse:
    return address_picker_page(request, session, BIN_DAY)


@router.post("/bin-day", response_class=HTMLResponse)
def find_bin_day(request: Request, session: SessionDep, postcode: PostcodeForm = "") -> HTMLResponse:
    return address_picker_page(request, session, BIN_DAY, postcode)


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
