"""Find an address: postcode in, addresses out, then the property's page. Works without JavaScript.

The postcode is sent by POST so that it never appears in web addresses or server logs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from starlette.responses import HTMLResponse

from townhall.places import service
from townhall.platform.errors import InvalidInput
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/find-address", response_class=HTMLResponse)
def find_address_form(request: Request) -> HTMLResponse:
    return render(request, "places/find.html", {"postcode": "", "error": None, "addresses": None})


@router.post("/find-address", response_class=HTMLResponse)
def find_address(
    request: Request, session: SessionDep, postcode: Annotated[str, Form(max_length=100)] = ""
) -> HTMLResponse:
    try:
        addresses = service.addresses_at_postcode(session, postcode=postcode)
    except InvalidInput as error:
        context = {"postcode": postcode, "error": error.message, "addresses": None}
        return render(request, "places/find.html", context, status_code=422)
    return render(request, "places/find.html", {"postcode": postcode, "error": None, "addresses": addresses})


@router.get("/properties/{uprn}", response_class=HTMLResponse)
def property_page(request: Request, session: SessionDep, uprn: Annotated[int, Path(gt=0, lt=10**12)]) -> HTMLResponse:
    found = service.property_by_uprn(session, uprn=uprn)
    return render(request, "places/property.html", {"property": found})
