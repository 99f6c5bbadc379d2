"""Call backs out of hours: the assistant offers one, takes a name and a UK phone number, says when the council
will call (the office's next opening) and stores a `CallbackRequest` for the staff queue.

The phone number is kept unredacted in the request (it is needed to call); the transcript's copy of the message is
redacted like every other. `purge_callbacks` removes requests once done, and any older than the retention period.
Service functions: no commit, errors for people.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from townhall.assistant import office_hours
from townhall.assistant.handoff_models import CallbackRequest
from townhall.assistant.replies import PHONE_EXAMPLES, Option, ReplyPart, part
from townhall.config import Settings
from townhall.identity.models import User
from townhall.identity.roles import require_role
from townhall.platform.errors import Conflict, NotFound

OFFER, NAME, PHONE = "callback_offer", "callback_name", "callback_phone"
MAX_NAME_LENGTH = 100
YES = re.compile(r"^\s*(yes|yeah|yep|y|ok|okay|please|sure|call me)\b", re.IGNORECASE)
NO = re.compile(r"^\s*(no|nope|n|not now|no thanks|cancel|stop)\b", re.IGNORECASE)
CANCEL: Option = {"value": "cancel", "label": "Cancel the call back"}
# A UK number once "+44", "0044" or "+44 (0)" is turned into a leading 0: geographic (01, 02), non-geographic
# (03), VoIP (05), mobile (07) and freephone or special (08). Premium rate (09) is never called back.
UK_NUMBER = re.compile(r"^0(?:[12]\d{8,9}|3\d{9}|5\d{9}|7\d{9}|8\d{8,9})$")
SEPARATORS = re.compile(r"[\s\-().]")


def normalise_uk_phone(text: str) -> str | None:
    """The number written the usual way ("07700 900123", "020 7946 0000"), or None if it is not a UK number."""
    compact = text.strip()
    compact = re.sub(r"^\+44\s*\(0\)", "0", compact)
    compact = SEPARATORS.sub("", compact)
    if compact.startswith("+44"):
        compact = "0" + compact[3:]
    elif compact.startswith("0044"):
        compact = "0" + compact[4:]
    if not UK_NUMBER.match(compact):
        return None
    if compact.startswith("02") and len(compact) == 11:
        return f"{compact[:3]} {compact[3:7]} {compact[7:]}"
    return f"{compact[:5]} {compact[5:]}"


def open_callback(session: Session, *, conversation_id: str) -> CallbackRequest | None:
    return session.scalar(
        select(CallbackRequest).where(
            CallbackRequest.conversation_id == conversation_id, CallbackRequest.status == "open"
        )
    )


def offer_callback(
    session: Session, *, conversation_id: str, state: dict[str, object], settings: Settings, now: datetime
) -> list[ReplyPart]:
    """Out of hours: when the office opens, and would they like a call back (unless one is already booked)."""
    opens = office_hours.next_opening(now, settings)
    closed = (
        f"I am passing this conversation to a member of staff. The office is closed now (it is open "
        f"{office_hours.describe(settings)}), so a person will read it from {office_hours.when(opens)}."
    )
    booked = open_callback(session, conversation_id=conversation_id)
    if booked is not None:
        call_from = booked.call_from.astimezone(opens.tzinfo)
        return [part(f"{closed} You have already asked for a call back: the council will call you from "
                     f"{office_hours.when(call_from)}.")]  # fmt: skip
    state["awaiting"] = OFFER
    options: list[Option] = [
        {"value": "yes", "label": "Yes, call me back"},
        {"value": "no", "label": "No, I will wait for a reply here"},
    ]
    return [part(closed), part("Would you like the council to phone you back instead?", options)]


def continue_callback(
    session: Session,
    *,
    conversation_id: str,
    text: str,
    state: dict[str, object],
    settings: Settings,
    now: datetime,
) -> list[ReplyPart] | None:
    """The next step of taking a call back, or None when the message is not an answer to its question."""
    awaiting = state.get("awaiting")
    if awaiting == OFFER:
        return _answer_offer(text, state, settings, now)
    if awaiting not in (NAME, PHONE):
        return None
    if NO.match(text):
        _finish(state)
        return [part("All right, no call back. A person will still read this conversation.")]
    if awaiting == NAME:
        return _take_name(text, state)
    return _take_phone(session, conversation_id=conversation_id, text=text, state=state, settings=settings, now=now)


def _answer_offer(text: str, state: dict[str, object], settings: Settings, now: datetime) -> list[ReplyPart] | None:
    if YES.match(text):
        state["awaiting"] = NAME
        return [part("What name should the council ask for when they call?", [CANCEL])]
    _finish(state)
    if NO.match(text):
        opens = office_hours.next_opening(now, settings)
        return [part(f"All right. A person will reply here from {office_hours.when(opens)}.")]
    return None  # the resident has moved on: the assistant answers the message as usual


def _take_name(text: str, state: dict[str, object]) -> list[ReplyPart]:
    name = " ".join(text.split())
    if len(name) > MAX_NAME_LENGTH or not any(c.isalpha() for c in name):
        return [part(f"Type the name to ask for, up to {MAX_NAME_LENGTH} characters.", [CANCEL])]
    state.update(awaiting=PHONE, callback_name=name)
    return [part("What number should the council call? Type a UK phone number with its area code, for example "
                 f"{PHONE_EXAMPLES}.", [CANCEL])]  # fmt: skip


def _take_phone(
    session: Session, *, conversation_id: str, text: str, state: dict[str, object], settings: Settings, now: datetime
) -> list[ReplyPart]:
    phone = normalise_uk_phone(text)
    if phone is None:
        return [part("That does not look like a UK phone number. Type it with its area code, for example "
                     f"{PHONE_EXAMPLES}.", [CANCEL])]  # fmt: skip
    name = str(state.get("callback_name") or "")
    call_from = office_hours.next_opening(now, settings)
    session.add(CallbackRequest(conversation_id=conversation_id, name=name, phone=phone, requested_at=now,
                                call_from=call_from, status="open"))  # fmt: skip
    _finish(state)
    return [part(f"Thank you, {name}. The council will call you on the number you gave from "
                 f"{office_hours.when(call_from)}.")]  # fmt: skip


def _finish(state: dict[str, object]) -> None:
    """Leave the call-back questions; the name typed is kept only in the request, never in the state."""
    state["awaiting"] = None
    state.pop("callback_name", None)


def mark_done(session: Session, *, officer: User, callback_id: int, now: datetime) -> CallbackRequest:
    """An officer has called the resident back."""
    require_role(officer, "contact_centre")
    found = session.get(CallbackRequest, callback_id)
    if found is None:
        raise NotFound("There is no such call-back request")
    if found.status == "done":
        raise Conflict("This call back is already marked as done")
    found.status, found.done_at, found.done_by_user_id = "done", now, officer.id
    session.flush()
    return found


def purge_callbacks(session: Session, *, now: datetime, settings: Settings) -> int:
    """Delete call-back requests that are done (the number is no longer needed) or older than the retention
    period (`assistant_callback_retention_days`), done or not; returns how many were deleted."""
    cutoff = now - timedelta(days=settings.assistant_callback_retention_days)
    result = session.execute(
        delete(CallbackRequest)
        .where(or_(CallbackRequest.status == "done", CallbackRequest.requested_at < cutoff))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
