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


app = Starlette(routes=[Route("/api/v1/addresses", addresses)])
