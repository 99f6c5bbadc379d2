"""Security headers on every response, as a plain ASGI middleware (cheap enough for the hot JSON paths)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(self)"),
    # HTTPS only for a year once a browser has seen the site over HTTPS (browsers ignore it over plain http, so
    # the laptop demo is unaffected); no includeSubDomains: the council's other hosts are not ours to decide
    (b"strict-transport-security", b"max-age=31536000"),
]  # fmt: skip


# A request carrying one of these cookies may be answered with someone's own data (a session: identity's
# SESSION_COOKIE; a chat-page conversation: assistant.ownership's COOKIE)
PRIVATE_COOKIES = (b"th_session=", b"th_assistant=")
NO_STORE = (b"cache-control", b"no-store")


def _carries_private_cookie(scope: Scope) -> bool:
    return any(name == b"cookie" and any(c in value for c in PRIVATE_COOKIES) for name, value in scope["headers"])


def _with_security_headers(headers: list[tuple[bytes, bytes]], private: bool) -> list[tuple[bytes, bytes]]:
    """The response's headers and ours; `Cache-Control: no-store` on a private answer that chose no caching,
    so a shared computer's browser keeps no copy to show the next person (Back after signing out)."""
    chosen = private and any(name.lower() == b"cache-control" for name, _ in headers)
    return [*headers, *SECURITY_HEADERS, *([NO_STORE] if private and not chosen else [])]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = _carries_private_cookie(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_security_headers(list(message.get("headers", [])), private)
            await send(message)

        await self.app(scope, receive, send_with_headers)
