"""Routes that are open to everyone on purpose. Every other route must require a role (a test walks them all).

A new public route either adds `Annotated[None, Depends(public)]` (townhall.identity.access) or its path here.
"""

PUBLIC_PATHS: frozenset[str] = frozenset(
    {
        "/",
        "/healthz",
        "/accessibility",
        "/privacy",
        "/find-address",
        "/properties/{uprn}",
        "/api/v1/addresses",
        "/api/v1/properties/{uprn}",
        "/static",
        "/api/docs",
        "/docs/oauth2-redirect",
        "/api/v1/openapi.json",
        "/bin-day",
        "/bin-day/{uprn}",
        "/bins/{uprn}.ics",
        "/api/v1/properties/{uprn}/collections",
        "/council-tax/band",
        "/council-tax/band/{uprn}",
        "/api/v1/counciltax/charges",
        # Open311's hot routes (plain Starlette routes, no dependencies): reading is open data, and POST requests
        # authenticates by its `api_key` field, as the rest of /open311 does with `Depends(public)`.
        "/open311/v2/requests.{fmt}",
        "/open311/v2/requests/{service_request_id}.{fmt}",
    }
)
