"""The residents' chat page: works without JavaScript (forms, Post/Redirect/Get), better with it
(static/assistant-chat.js sends messages through the JSON API and polls for officers' replies).

    GET  /assistant               the start page
    POST /assistant               the first message: starts a conversation, then 303 to its page
    GET  /assistant/c/{id}        the conversation: transcript, the latest reply's options as buttons, the form
    POST /assistant/c/{id}        a message in it, then 303 back

Who may open a conversation is decided in ownership.py (a signed-in resident's is theirs; an anonymous one is bound
to the browser that started it by a signed cookie).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from sqlalchemy import select
from starlette.responses import HTMLResponse, RedirectResponse, Response

from townhall.assistant import office_hours
from townhall.assistant.api import EngineDep
from townhall.assistant.dialogue import check_message, conversation_for, handle_message, start_conversation
from townhall.assistant.handoff import officer_first_name
from townhall.assistant.models import Conversation, Message
from townhall.assistant.ownership import browser_conversation, check_browser, remember_in_browser
from townhall.assistant.ratelimit import ConversationLimit, MessageLimit
from townhall.assistant.transcript_format import linkify, reply_links
from townhall.identity.access import CurrentUser, public
from townhall.identity.models import User
from townhall.platform import clock
from townhall.platform.errors import InvalidInput
from townhall.web.deps import SessionDep, SettingsDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
Public = Annotated[None, Depends(public)]
ConversationId = Annotated[str, Path(max_length=36, pattern=r"^[0-9a-f\-]+$")]
# Generous: the dialogue measures the trimmed text and says how long it was; this only stops absurd posts.
MessageText = Annotated[str, Form(max_length=100_000)]


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    hours = office_hours.describe(request.app.state.settings)
    defaults: dict[str, Any] = {"linkify": linkify, "reply_links": reply_links, "conversation": None, "messages": [],
                                "options": [], "error": None, "text": "", "office_hours": hours}  # fmt: skip
    return render(request, "assistant/chat.html", {**defaults, **context}, status_code=status_code)


@router.get("/assistant", response_class=HTMLResponse)
def start_page(request: Request, _: Public) -> HTMLResponse:
    return _page(request, {"earlier": browser_conversation(request)})


@router.post("/assistant", response_model=None)
def first_message(
    request: Request, session: SessionDep, settings: SettingsDep, engine: EngineDep, user: CurrentUser,
    _: Public, _limit: ConversationLimit, text: MessageText = "",
) -> Response:  # fmt: skip
    try:
        check_message(text)
    except InvalidInput as error:
        return _page(request, {"error": error.message, "text": text, "earlier": None}, status_code=422)
    conversation = start_conversation(session, user_id=user.id if user else None)
    conversation.browser_bound = user is None
    handle_message(session, conversation_id=conversation.id, text=text, engine=engine, today=clock.today(),
                   user_id=user.id if user else None, settings=settings)  # fmt: skip
    response = RedirectResponse(f"/assistant/c/{conversation.id}", status_code=303)
    remember_in_browser(response, request, conversation.id)
    return response


def _owned(request: Request, session: SessionDep, user: User | None, conversation_id: str) -> Conversation:
    conversation = conversation_for(session, conversation_id=conversation_id, user_id=user.id if user else None)
    check_browser(request, conversation)
    return conversation


def _conversation_page(
    request: Request, session: SessionDep, conversation: Conversation, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    messages = list(session.scalars(select(Message).where(Message.conversation_id == conversation.id)
                                    .order_by(Message.id)))  # fmt: skip
    last = messages[-1] if messages else None
    options = (last.options or []) if last is not None and last.sender == "assistant" else []
    names = {m.author_user_id: officer_first_name(session, m.author_user_id) for m in messages if m.author_user_id}
    context = {"conversation": conversation, "messages": messages, "options": options, "names": names,
               "last_id": last.id if last else 0, **extra}  # fmt: skip
    return _page(request, context, status_code=status_code)


@router.get("/assistant/c/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    request: Request, session: SessionDep, user: CurrentUser, _: Public, conversation_id: ConversationId
) -> HTMLResponse:
    return _conversation_page(request, session, _owned(request, session, user, conversation_id))


@router.post("/assistant/c/{conversation_id}", response_model=None)
def next_message(
    request: Request, session: SessionDep, settings: SettingsDep, engine: EngineDep, user: CurrentUser,
    _: Public, conversation_id: ConversationId, _limit: MessageLimit, text: MessageText = "",
) -> Response:  # fmt: skip
    conversation = _owned(request, session, user, conversation_id)
    try:
        handle_message(session, conversation_id=conversation.id, text=text, engine=engine, today=clock.today(),
                       user_id=user.id if user else None, settings=settings)  # fmt: skip
    except InvalidInput as error:
        return _conversation_page(request, session, conversation, status_code=422, error=error.message, text=text)
    return RedirectResponse(f"/assistant/c/{conversation.id}#latest", status_code=303)
