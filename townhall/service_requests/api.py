"""JSON API: create a service request, once per `Idempotency-Key`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse

from townhall.identity.access import Caller, api_requires
from townhall.platform.errors import InvalidInput
from townhall.service_requests.schemas import ServiceRequestIn, ServiceRequestOut
from townhall.service_requests.service import NewRequest, create_request
from townhall.service_requests.statuses import open311_status
from townhall.web.deps import SessionDep

router = APIRouter(tags=["service requests"])
WRITE_SCOPE = "service_requests:write"


@router.post("/service-requests", response_model=ServiceRequestOut, status_code=201)
def post_service_request(
    body: ServiceRequestIn,
    session: SessionDep,
    caller: Annotated[Caller, Depends(api_requires("resident", "officer", scope=WRITE_SCOPE))],
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> JSONResponse:
    """Report a problem. Send an `Idempotency-Key` header: the same key again returns the first request (200)."""
    if idempotency_key is not None and not idempotency_key.strip():
        raise InvalidInput("Idempotency-Key must not be empty")
    key = f"api:{caller.actor.type}:{caller.actor.id}:{idempotency_key.strip()}" if idempotency_key else None
    new = NewRequest(
        service_code=body.service_code, source="api", description=body.description, latitude=body.lat,
        longitude=body.long, uprn=body.address_id, answers=body.answers, email=body.email,
        first_name=body.first_name, last_name=body.last_name, phone=body.phone,
        reporter_user_id=caller.user.id if caller.user and "resident" in caller.user.roles else None,
        idempotency_key=key,
    )  # fmt: skip
    created, is_new = create_request(session, new=new)
    out = ServiceRequestOut(
        reference=created.reference, service_code=created.service.code, status=created.status,
        open311_status=open311_status(created.status), requested_at=created.requested_at,
        expected_at=created.expected_at,
    )  # fmt: skip
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if is_new else 200)
