"""The reference every HTTP benchmark is compared with: a minimal Starlette JSON endpoint, no database.

It returns a list shaped like an address lookup (17 addresses), so the JSON work is comparable. Whatever a
Townhall endpoint costs beyond this is Townhall's own cost: routing, validation, the database, the response model.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ADDRESSES = [
    {"uprn": 100090000000 + n, "address": f"{n} Church Road, Wexmoor", "postcode": "ZX1 0AB", "ward": "Abbey"}
    for n in range(1, 18)
]


async def addresses(_request: Request) -> JSONResponse:
    return JSONResponse(ADDRESSES)


async def create_request(request: Request) -> JSONResponse:
    """Open311's POST requests with nothing behind it: parse the form, answer with an id."""
    form = await request.form()
    return JSONResponse([{"service_request_id": "SR-00000001", "token": form.get("token")}])


async def assistant_message(request: Request) -> JSONResponse:
    """The assistant's message endpoint with nothing behind it: read the JSON, answer with a reply's shape."""
    body = await request.json()
    reply = {"text": str(body.get("text", "")), "options": [], "links": []}
    conversation_id = request.path_params["conversation_id"]
    return JSONResponse(
        {"conversation_id": conversation_id, "intent": "greeting", "confidence": 1.0, "replies": [reply], "state": {}}
    )


app = Starlette(
    routes=[
        Route("/api/v1/addresses", addresses),
        Route("/open311/v2/requests.json", addresses, methods=["GET"]),
        Route("/open311/v2/requests.json", create_request, methods=["POST"]),
        Route("/api/v1/assistant/conversations/{conversation_id}/messages", assistant_message, methods=["POST"]),
    ]
)
