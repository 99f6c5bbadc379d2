"""Council tax pages: the public "check your Council Tax band and charge" (postcode by POST, address, then the
band and this year's charge with where it goes) and a signed-in resident's own account. Work without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import HTMLResponse

from townhall.counciltax import service
from townhall.counciltax.billing import FinancialYear
from townhall.counciltax.charges import format_pounds
from townhall.identity.access import requires
from townhall.identity.linking import own_link
from townhall.identity.models import User
from townhall.places.pages import AddressPicker, PostcodeForm, address_picker_page
from townhall.platform import clock
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)


BAND_CHECKER = AddressPicker(
    "Check your Council Tax band and charge",
    "Find the Council Tax band of a home and what it pays this year.",
    "/council-tax/band",
    "/council-tax/band/",
)


@router.get("/council-tax/band", response_class=HTMLResponse)
def band_checker_form(request: Request, session: SessionDep) -> HTMLResponse:
    return address_picker_page(request, session, BAND_CHECKER)


@router.post("/council-tax/band", response_class=HTMLResponse)
def band_checker(request: Request, session: SessionDep, postcode: PostcodeForm = "") -> HTMLResponse:
    return address_picker_page(request, session, BAND_CHECKER, postcode)


@router.get("/council-tax/band/{uprn}", response_class=HTMLResponse)
def property_band(request: Request, session: SessionDep, uprn: Annotated[int, Path(gt=0, lt=10**12)]) -> HTMLResponse:
    year = FinancialYear.containing(clock.today())
    years = service.charge_years(session)
    chosen = year.starts if year.starts in years else (years[-1] if years else year.starts)
    charge = service.property_charge(session, uprn=uprn, year=chosen)
    return render(request, "counciltax/band.html", {"charge": charge})


@router.get("/account/links/{link_id}/council-tax", response_class=HTMLResponse)
def your_council_tax(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(requires("resident"))],
    link_id: Annotated[int, Path(gt=0, lt=2**31)],
) -> HTMLResponse:
    """ "Your council tax": the signed-in resident's own linked account only (anyone else's link is not found)."""
    link = own_link(session, user=user, link_id=link_id)
    summary = service.account_summary(session, reference=link.account_reference)
    return render(request, "counciltax/account.html", {"account": summary, "pounds": format_pounds})
