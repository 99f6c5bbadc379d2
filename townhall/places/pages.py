"""Find an address: postcode in, addresses out, then the property's page. Works without JavaScript.

The postcode is sent by POST so that it never appears in web addresses or server logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse

from townhall.places import service
from townhall.platform.errors import InvalidInput
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class AddressPicker:
    """How a journey's first page looks: its title, what it is for, and where each address leads."""

    title: str
    intro: str | None
    action: str  # where the postcode form posts
    link_prefix: str  # each address links here, followed by its UPRN
    show_ward: bool = False
    # A journey that goes on with a form (report a problem) lists the addresses as radios (`uprn`) in a form
    # POSTed here, with the postcode, instead of links.
    choose_action: str | None = None
    # Another way on for a journey that needs one: (href, words), e.g. a map position instead of an address.
    other_way: tuple[str, str] | None = None


def address_picker_page(
    request: Request, session: Session, picker: AddressPicker, postcode: str | None = None, *, choice_error: str = ""
) -> HTMLResponse:
    """The picker's form (no postcode yet), the addresses at a postcode, or the form with a clear error (422).

    `choice_error` re-shows the addresses with that error against them (radios sent without a choice).
    """
    context: dict[str, object] = {
        "picker": picker, "postcode": postcode or "", "error": None, "addresses": None, "choice_error": choice_error,
    }  # fmt: skip
    if postcode is not None:
        try:
            context["addresses"] = service.addresses_at_postcode(session, postcode=postcode)
        except InvalidInput as error:
            context["error"] = error.message
            return render(request, "address_picker.html", context, status_code=422)
    return render(request, "address_picker.html", context, status_code=422 if choice_error else 200)


FIND_ADDRESS = AddressPicker("Find an address", None, "/find-address", "/properties/", show_ward=True)
PostcodeForm = Annotated[str, Form(max_length=100)]


@router.get("/find-address", response_class=HTMLResponse)
def find_address_form(request: Request, session: SessionDep) -> HTMLResponse:
    return address_picker_page(request, session, FIND_ADDRESS)


@router.post("/find-address", response_class=HTMLResponse)
def find_address(request: Request, session: SessionDep, postcode: PostcodeForm = "") -> HTMLResponse:
    return address_picker_page(request, session, FIND_ADDRESS, postcode)


@router.get("/properties/{uprn}", response_class=HTMLResponse)
def property_page(request: Request, session: SessionDep, uprn: Annotated[int, Path(gt=0, lt=10**12)]) -> HTMLResponse:
    found = service.property_by_uprn(session, uprn=uprn)
    return render(request, "places/property.html", {"property": found})
