"""The council tax JSON API: every band's charge for a year and its parts, and an account for its holder or an
officer (audited, with a purpose)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from townhall.counciltax import service
from townhall.counciltax.billing import FinancialYear
from townhall.counciltax.schemas import AccountSummary, ChargesOut
from townhall.identity.access import Caller, api_requires, client_address
from townhall.platform import clock
from townhall.platform.errors import Forbidden
from townhall.web.deps import SessionDep

router = APIRouter(tags=["council tax"])


@router.get("/counciltax/charges", response_model=ChargesOut)
def charges(
    session: SessionDep,
    year: Annotated[
        int | None, Query(ge=1993, le=2100, description="Financial year starting 1 April; default this one")
    ] = None,
    parish: Annotated[str | None, Query(max_length=100, description="A parish, to include its precept")] = None,
    band: Annotated[str | None, Query(max_length=2, description="One band, A to H; default every band")] = None,
) -> ChargesOut:
    """Each band's annual charge for the year, with one part per precepting body. 422 for an unknown year,
    parish or band."""
    chosen = year if year is not None else FinancialYear.containing(clock.today()).starts
    return service.charges_by_band(session, year=chosen, parish=parish, band=band)


AccountViewer = Annotated[Caller, Depends(api_requires("resident", *service.ACCOUNT_VIEWER_ROLES))]


@router.get("/counciltax/accounts/{reference}", response_model=AccountSummary)
def account(
    request: Request,
    session: SessionDep,
    caller: AccountViewer,
    reference: Annotated[str, Path(pattern=r"^\d{8}$", description="The 8-digit account reference")],
    purpose: Annotated[
        str | None, Query(max_length=200, description="Why an officer needs it (required for staff)")
    ] = None,
) -> AccountSummary:
    """A council tax account: for the resident it is linked to, or for officers and the contact centre, who must
    give a purpose (recorded in the audit log). 404 for a resident asking for any other account."""
    if caller.user is None:
        raise Forbidden("Council tax accounts are shown to people, not to API keys")
    return service.account_for_caller(
        session, reference=reference, user=caller.user, purpose=purpose, client=client_address(request)
    )
