"""The contact centre's pages (roles `contact_centre` and `admin`): the queue of handed-off conversations and one
conversation, with take over, reply, close and return to the assistant. Forms only: no JavaScript needed.

    GET  /assistant/queue?view=waiting|mine|open
    GET  /assistant/queue/{id}                     the transcript (each reading is audited)
    POST /assistant/queue/{id}/take | reply | close | return
    POST /assistant/callbacks/{callback id}/done
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Form, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from townhall.assistant import callbacks, staff
from townhall.assistant.handoff_models import OUTCOMES
from townhall.assistant.transcript_format import at, linkify, reply_links, waited
from townhall.identity.access import client_address, requires
from townhall.identity.models import User
from townhall.platform import clock
from townhall.platform.errors import Conflict, InvalidInput
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
ContactCentre = Annotated[User, Depends(requires(*staff.STAFF_ROLES))]
ConversationId = Annotated[str, Path(max_length=36, pattern=r"^[0-9a-f\-]+$")]
REASONS = {"asked": "Asked for a person", "not_understood": "Not understood twice", "safeguarding": "Safeguarding"}
CLOSING_OUTCOMES = {code: label for code, label in OUTCOMES.items() if code != "returned"}


def _render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    helpers = {"waited": waited, "at": at, "linkify": linkify, "reply_links": reply_links, "reasons": REASONS,
               "outcomes": OUTCOMES}  # fmt: skip
    return render(request, template, {**helpers, **context}, status_code=status_code)


@router.get("/assistant/queue", response_class=HTMLResponse)
def queue_page(request: Request, session: SessionDep, user: ContactCentre) -> HTMLResponse:
    view = request.query_params.get("view", "open")
    if view not in staff.QUEUE_VIEWS:
        view = "open"
    now = clock.now()
    items = staff.queue(session, officer=user, view=cast(staff.QueueView, view), now=now)
    context = {"items": items, "view": view, "views": staff.QUEUE_VIEWS, "now": now,
               "callbacks": staff.open_callbacks(session, officer=user)}  # fmt: skip
    return _render(request, "assistant/queue.html", context)


def _conversation(
    request: Request, session: SessionDep, user: User, conversation_id: str, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    found = staff.transcript(session, officer=user, conversation_id=conversation_id, client=client_address(request))
    context = {"found": found, "now": clock.now(), "me": user, "closing": CLOSING_OUTCOMES, "errors": [],
               "reply_text": "", **extra}  # fmt: skip
    return _render(request, "assistant/conversation.html", context, status_code=status_code)


@router.get("/assistant/queue/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    request: Request, session: SessionDep, user: ContactCentre, conversation_id: ConversationId
) -> HTMLResponse:
    return _conversation(request, session, user, conversation_id)


def _back(conversation_id: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/assistant/queue/{conversation_id}{anchor}", status_code=303)


@router.post("/assistant/queue/{conversation_id}/take", response_model=None)
def take_over(session: SessionDep, user: ContactCentre, conversation_id: ConversationId) -> RedirectResponse:
    staff.take_over(session, officer=user, conversation_id=conversation_id, now=clock.now())
    return _back(conversation_id)


@router.post("/assistant/queue/{conversation_id}/reply", response_model=None)
def reply(
    request: Request, session: SessionDep, user: ContactCentre, conversation_id: ConversationId,
    text: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:  # fmt: skip
    try:
        staff.reply(session, officer=user, conversation_id=conversation_id, text=text, now=clock.now())
    except (InvalidInput, Conflict) as error:
        return _conversation(request, session, user, conversation_id, status_code=error.status_code,
                             errors=[("reply", error.message)], reply_text=text)  # fmt: skip
    return _back(conversation_id, "#latest")


@router.post("/assistant/queue/{conversation_id}/close", response_model=None)
def close(
    request: Request, session: SessionDep, user: ContactCentre, conversation_id: ConversationId,
    outcome: Annotated[str, Form(max_length=20)] = "",
) -> Response:  # fmt: skip
    try:
        staff.close(session, officer=user, conversation_id=conversation_id, outcome=outcome, now=clock.now())
    except InvalidInput as error:
        return _conversation(request, session, user, conversation_id, status_code=422,
                             errors=[(f"outcome-{next(iter(CLOSING_OUTCOMES))}", error.message)])  # fmt: skip
    return RedirectResponse("/assistant/queue", status_code=303)


@router.post("/assistant/queue/{conversation_id}/return", response_model=None)
def return_to_assistant(session: SessionDep, user: ContactCentre, conversation_id: ConversationId) -> RedirectResponse:
    staff.return_to_assistant(session, officer=user, conversation_id=conversation_id, now=clock.now())
    return RedirectResponse("/assistant/queue", status_code=303)


@router.post("/assistant/callbacks/{callback_id}/done", response_model=None)
def callback_done(
    session: SessionDep, user: ContactCentre, callback_id: Annotated[int, Path(gt=0, lt=2**31)]
) -> RedirectResponse:
    done = callbacks.mark_done(session, officer=user, callback_id=callback_id, now=clock.now())
    return _back(done.conversation_id)
