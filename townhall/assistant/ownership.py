"""Who may read and add to a conversation.

A signed-in resident's conversation is theirs (dialogue.conversation_for: anyone else gets 404). A conversation
started on the chat page without signing in is bound to the browser that started it: its id travels in an
HttpOnly, SameSite=Lax cookie signed with the secret key (`<id>.<HMAC>`), and the page and the JSON API answer 404
to a request without that cookie. The id alone (a random UUID, but it shows in the address bar, the browser's
history and a shared screenshot) is then not enough to read the transcript: the signature cannot be made without
the secret key, and JavaScript cannot read the cookie. Conversations started over the JSON API by a program stay
open to whoever holds the id, as before (a program has no browser to bind to).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from townhall.assistant.models import Conversation
from townhall.config import Settings
from townhall.platform.errors import NotFound
from townhall.web.csrf import cookie_is_secure
from townhall.web.deps import SessionDep

COOKIE = "th_assistant"


def _signature(settings: Settings, conversation_id: str) -> str:
    return hmac.new(settings.secret_key.encode(), f"assistant:{conversation_id}".encode(), hashlib.sha256).hexdigest()


def signed_cookie_value(settings: Settings, conversation_id: str) -> str:
    return f"{conversation_id}.{_signature(settings, conversation_id)}"


def browser_conversation(request: Request) -> str | None:
    """The conversation this browser started on the chat page, if its cookie carries a valid signature."""
    raw = request.cookies.get(COOKIE, "")
    conversation_id, _, signature = raw.rpartition(".")
    settings: Settings = request.app.state.settings
    if not conversation_id or not hmac.compare_digest(signature, _signature(settings, conversation_id)):
        return None
    return conversation_id


def remember_in_browser(response: Response, request: Request, conversation_id: str) -> None:
    settings: Settings = request.app.state.settings
    secure = cookie_is_secure(settings, scheme=request.url.scheme, host=request.url.hostname)
    response.set_cookie(COOKIE, signed_cookie_value(settings, conversation_id), httponly=True, samesite="lax",
                        secure=secure, path="/")  # fmt: skip


def check_browser(request: Request, conversation: Conversation | None) -> None:
    """NotFound for a browser-bound conversation asked for without its cookie (as if it did not exist)."""
    if conversation is not None and conversation.browser_bound and browser_conversation(request) != conversation.id:
        raise NotFound("There is no such conversation")


def browser_may_use(conversation_id: str, request: Request, session: SessionDep) -> None:
    """Dependency for the JSON routes of one conversation (its id in the path)."""
    check_browser(request, session.get(Conversation, conversation_id))


BrowserBound = Annotated[None, Depends(browser_may_use)]
