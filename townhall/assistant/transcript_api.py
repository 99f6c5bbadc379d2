"""New messages in a conversation, for the resident's chat page to poll: officers' replies arrive this way.

`GET /api/v1/assistant/conversations/{id}/messages?after=<message id>`. The same ownership rules as sending a
message: a signed-in resident's conversation is 404 to anyone else; a chat-page conversation needs its browser.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from townhall.assistant.dialogue import conversation_for
from townhall.assistant.handoff import officer_first_name
from townhall.assistant.models import Message
from townhall.assistant.ownership import BrowserBound
from townhall.assistant.schemas import MessagesOut
from townhall.identity.access import CurrentUser, public
from townhall.web.deps import SessionDep

router = APIRouter(tags=["assistant"])
Public = Annotated[None, Depends(public)]
PAGE_SIZE = 200


@router.get("/assistant/conversations/{conversation_id}/messages", response_model=MessagesOut)
def get_messages(
    conversation_id: str,
    session: SessionDep,
    user: CurrentUser,
    _: Public,
    _bound: BrowserBound,
    after: Annotated[int, Query(ge=0, lt=2**31, description="Only messages with a greater id")] = 0,
) -> MessagesOut:
    """The conversation's messages after `after` (oldest first, up to 200), and whether a person has it."""
    conversation = conversation_for(session, conversation_id=conversation_id, user_id=user.id if user else None)
    query = select(Message).where(Message.conversation_id == conversation.id, Message.id > after)
    found = session.scalars(query.order_by(Message.id).limit(PAGE_SIZE)).all()
    names = {m.author_user_id: officer_first_name(session, m.author_user_id) for m in found if m.author_user_id}
    return MessagesOut.model_validate({
        "conversation_id": conversation.id, "handed_off": conversation.handed_off,
        "messages": [
            {"id": m.id, "sender": m.sender, "text": m.text, "created_at": m.created_at, "options": m.options or [],
             "links": m.links or [], "author": names.get(m.author_user_id) if m.author_user_id else None}
            for m in found
        ],
    })  # fmt: skip
