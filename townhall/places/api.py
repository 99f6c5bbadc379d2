"""The gazetteer's JSON API: addresses by postcode or by search, and one property by UPRN."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from townhall.places import service
from townhall.places.schemas import AddressSummary, PropertyDetail
from townhall.platform.errors import InvalidInput
from townhall.web.deps import SessionDep

router = APIRouter(tags=["addresses"])

UprnPath = Annotated[int, Path(gt=0, lt=10**12, description="Unique Property Reference Number")]


@router.get("/addresses", response_model=list[AddressSummary])
def list_addresses(
    session: SessionDep,
    postcode: Annotated[str | None, Query(max_length=16, description="Any spacing or case: 'zx1 2ab'")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of an address: '12 high st'")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_SEARCH_RESULTS)] = 20,
) -> list[AddressSummary]:
    """Addresses at a postcode (`postcode`), or matching what was typed (`q`)."""
    if postcode is not None:
        return service.addresses_at_postcode(session, postcode=postcode)
    if q is not None:
        return service.search_addresses(session, query=q, limit=limit)
    raise InvalidInput("Give a postcode (?postcode=) or part of an address (?q=)")


@router.get("/properties/{uprn}", response_model=PropertyDetail)
def get_property(session: SessionDep, uprn: UprnPath) -> PropertyDetail:
    """One property by UPRN; 404 if it is not in the gazetteer."""
    return service.property_by_uprn(session, uprn=uprn)
