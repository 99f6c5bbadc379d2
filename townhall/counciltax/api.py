"""The council tax JSON API: every band's charge for a year and its parts.

The account route (`/counciltax/accounts/{reference}`) needs signed-in officers and an audit trail, so it is
added by the identity module on top of `service.account_summary`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from townhall.counciltax import service
from townhall.counciltax.billing import FinancialYear
from townhall.counciltax.schemas import ChargesOut
from townhall.platform import clock
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
