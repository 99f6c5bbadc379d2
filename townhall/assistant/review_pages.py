"""The contact centre's review page: messages the assistant failed on, each labelled with the right intent.

Contact-centre officers and admins only. Showing transcripts is a staff read of residents' (redacted) words, so
each conversation shown is written to the audit log with the purpose "improving the assistant".
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from townhall.assistant.intents import INTENT_DESCRIPTIONS, INTENTS
from townhall.assistant.labels import label_message, labelled_count
from townhall.assistant.review import REASONS, failure_of, failures
from townhall.identity.access import client_address, requires
from townhall.identity.models import User
from townhall.identity.service import actor_for
from townhall.platform.audit import record_access
from townhall.platform.errors import InvalidInput
from townhall.platform.numbers import whole_number
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
# The messages reviewed are residents' own words: personal data, so the contact centre only, not admins
Reviewer = Annotated[User, Depends(requires("contact_centre"))]
MessageId = Annotated[int, Path(gt=0, lt=2**31)]
PAGE_SIZE = 25
REVIEW_PURPOSE = "improving the assistant"


def _filters(reason: str, show: str, page: str) -> tuple[str | None, bool, int]:
    return (reason if reason in REASONS else None, show != "all", whole_number(page) or 1)


def _review_page(
    request: Request, session: SessionDep, user: User, *, reason: str, show: str, page: str,
    error: tuple[int, str] | None = None, labelled: str = "",
) -> HTMLResponse:  # fmt: skip
    chosen_reason, unlabelled_only, page_number = _filters(reason, show, page)
    found = failures(session, reason=chosen_reason, unlabelled_only=unlabelled_only)
    shown = found.failures[(page_number - 1) * PAGE_SIZE : page_number * PAGE_SIZE]
    for conversation_id in dict.fromkeys(f.message.conversation_id for f in shown):
        record_access(session, actor=actor_for(user), action="assistant.review", subject_type="assistant_conversation",
                      subject_id=conversation_id, purpose=REVIEW_PURPOSE, client=client_address(request))  # fmt: skip
    query = {"reason": chosen_reason or "", "show": "unlabelled" if unlabelled_only else "all"}
    context = {
        "page": found, "shown": shown, "reasons": REASONS, "intents": INTENTS, "descriptions": INTENT_DESCRIPTIONS,
        "reason": chosen_reason, "unlabelled_only": unlabelled_only, "page_number": page_number,
        "pages": max(1, -(-found.total // PAGE_SIZE)), "query": query, "query_string": urlencode(query),
        "labelled_total": labelled_count(session), "error": error, "labelled": labelled,
    }  # fmt: skip
    return render(request, "assistant/review.html", context, status_code=422 if error else 200)


@router.get("/assistant/review", response_class=HTMLResponse)
def review(request: Request, session: SessionDep, user: Reviewer) -> HTMLResponse:
    params = request.query_params
    return _review_page(request, session, user, reason=params.get("reason", "")[:20],
                        show=params.get("show", "")[:12], page=params.get("page", "1")[:6],
                        labelled=params.get("labelled", "")[:12])  # fmt: skip


@router.post("/assistant/review/{message_id}", response_model=None)
def label(
    request: Request, session: SessionDep, user: Reviewer, message_id: MessageId,
    intent: Annotated[str, Form(max_length=40)] = "", reason: Annotated[str, Form(max_length=20)] = "",
    show: Annotated[str, Form(max_length=12)] = "", page: Annotated[str, Form(max_length=6)] = "1",
) -> Response:  # fmt: skip
    """Label one message; back to the list where the officer was."""
    failure = failure_of(session, message_id=message_id)
    try:
        label_message(session, message_id=message_id, intent=intent, labelled_by=user.id,
                      reason=failure.reason if failure else None)  # fmt: skip
    except InvalidInput as problem:
        return _review_page(request, session, user, reason=reason, show=show, page=page,
                            error=(message_id, problem.message))  # fmt: skip
    query = urlencode({"reason": reason, "show": show, "page": page, "labelled": message_id})
    return RedirectResponse(f"/assistant/review?{query}", status_code=303)
