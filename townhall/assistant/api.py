"""The assistant's JSON API: start a conversation, send it a message, read the replies.

Open to everyone. A conversation started by a signed-in resident is theirs: anyone else gets 404 for it.
Rate-limited per conversation and per client address (`ratelimit.py`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from townhall.assistant.dialogue import handle_message, start_conversation
from townhall.assistant.engine import IntentEngine
from townhall.assistant.engine_store import live_engine
from townhall.assistant.ownership import BrowserBound
from townhall.assistant.ratelimit import ConversationLimit, MessageLimit
from townhall.assistant.schemas import ConversationStarted, MessageIn, ReplyOut
from townhall.identity.access import CurrentUser, public
from townhall.platform import clock
from townhall.web.deps import SessionDep, SettingsDep

router = APIRouter(tags=["assistant"])
Public = Annotated[None, Depends(public)]


def assistant_engine(request: Request, session: SessionDep, settings: SettingsDep) -> IntentEngine:
    """The app's engine when one was given (tests, a preloaded model), else the database's live version."""
    given: IntentEngine | None = getattr(request.app.state, "assistant_engine", None)
    return given or live_engine(session, settings=settings)


EngineDep = Annotated[IntentEngine, Depends(assistant_engine)]


@router.post("/assistant/conversations", response_model=ConversationStarted, status_code=201)
def post_conversation(session: SessionDep, user: CurrentUser, _: Public, _limit: ConversationLimit) -> JSONResponse:
    """Start a conversation with the assistant."""
    conversation = start_conversation(session, user_id=user.id if user else None)
    return JSONResponse({"conversation_id": conversation.id}, status_code=201)


@router.post("/assistant/conversations/{conversation_id}/messages", response_model=ReplyOut)
def post_message(
    conversation_id: str,
    body: MessageIn,
    session: SessionDep,
    settings: SettingsDep,
    engine: EngineDep,
    user: CurrentUser,
    _: Public,
    _bound: BrowserBound,
    _limit: MessageLimit,  # rate limits (ratelimit.py): 429 with Retry-After
) -> ReplyOut:
    """Send a message; the reply says what the assistant understood and what it answers, with any options."""
    reply = handle_message(
        session, conversation_id=conversation_id, text=body.text, engine=engine, today=clock.today(),
        user_id=user.id if user else None, settings=settings,
    )  # fmt: skip
    return ReplyOut.model_validate(asdict(reply))
