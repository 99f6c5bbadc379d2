"""Identity's JSON API: who am I, and a resident's own linked accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from townhall.identity import linking
from townhall.identity.access import Caller as CallerT
from townhall.identity.access import api_requires
from townhall.identity.roles import ROLES
from townhall.web.deps import SessionDep

router = APIRouter(tags=["identity"])
AnyUser = Annotated[CallerT, Depends(api_requires(*ROLES))]
ResidentCaller = Annotated[CallerT, Depends(api_requires("resident"))]


class Me(BaseModel):
    id: int
    email: str
    roles: list[str]


class LinkOut(BaseModel):
    id: int
    account_reference: str
    linked_at: str


@router.get("/me", response_model=Me)
def me(caller: AnyUser) -> Me:
    """The signed-in user."""
    assert caller.user is not None
    return Me(id=caller.user.id, email=caller.user.email, roles=sorted(caller.user.roles))


@router.get("/me/links/{link_id}", response_model=LinkOut)
def my_link(session: SessionDep, caller: ResidentCaller, link_id: Annotated[int, Path(gt=0, lt=2**31)]) -> LinkOut:
    """One of the signed-in resident's linked council tax accounts; 404 for anyone else's."""
    assert caller.user is not None
    link = linking.own_link(session, user=caller.user, link_id=link_id)
    return LinkOut(id=link.id, account_reference=link.account_reference, linked_at=link.linked_at.isoformat())
