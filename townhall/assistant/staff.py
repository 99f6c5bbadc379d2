"""The contact centre's side of a hand-off: the queue, reading a transcript (audited), taking a conversation over,
replying in it, closing it with an outcome or returning it to the assistant.

For the roles `contact_centre` and `admin`. Service functions: no commit, errors for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.assistant.callbacks import open_callback
from townhall.assistant.dialogue import MAX_MESSAGE_LENGTH
from townhall.assistant.handoff import officer_first_name, open_handoff
from townhall.assistant.handoff_models import OUTCOMES, CallbackRequest, Handoff
from townhall.assistant.models import Conversation, Message
from townhall.identity.models import User
from townhall.identity.roles import require_role
from townhall.identity.service import actor_for
from townhall.platform.audit import record_access
from townhall.platform.errors import Conflict, InvalidInput, NotFound

# Transcripts hold what residents told the assistant: personal data, so not for admins (docs/identity.md)
STAFF_ROLES = ("contact_centre",)
READ_PURPOSE = "contact centre: answering a conversation handed off by the assistant"
QueueView = Literal["waiting", "mine", "open"]
QUEUE_VIEWS: dict[str, str] = {"waiting": "Waiting for a person", "mine": "Taken by me", "open": "All open"}


@dataclass(frozen=True, slots=True)
class QueueItem:
    handoff: Handoff
    waiting: timedelta
    taken_by: str | None
    callback: CallbackRequest | None


@dataclass(frozen=True, slots=True)
class Transcript:
    conversation: Conversation
    handoff: Handoff | None  # the open one; None once closed
    latest: Handoff  # the most recent, open or closed
    messages: list[Message]
    names: dict[int, str]  # officers' display names by user id
    callbacks: list[CallbackRequest]


def queue(session: Session, *, officer: User, view: QueueView, now: datetime) -> list[QueueItem]:
    """Open hand-offs: urgent (safeguarding) first, then the longest waiting."""
    require_role(officer, *STAFF_ROLES)
    query = select(Handoff).where(Handoff.closed_at.is_(None))
    if view == "waiting":
        query = query.where(Handoff.assigned_user_id.is_(None))
    elif view == "mine":
        query = query.where(Handoff.assigned_user_id == officer.id)
    found = session.scalars(query.order_by(Handoff.urgent.desc(), Handoff.requested_at, Handoff.id)).all()
    names = _names(session, {h.assigned_user_id for h in found if h.assigned_user_id is not None})
    return [
        QueueItem(h, now - h.requested_at, names.get(h.assigned_user_id) if h.assigned_user_id else None,
                  open_callback(session, conversation_id=h.conversation_id))
        for h in found
    ]  # fmt: skip


def open_callbacks(session: Session, *, officer: User) -> list[CallbackRequest]:
    """Call backs not yet made, the earliest due first (the queue lists them; the phone number is on the
    conversation's page, whose reading is audited)."""
    require_role(officer, *STAFF_ROLES)
    query = select(CallbackRequest).where(CallbackRequest.status == "open")
    return list(session.scalars(query.order_by(CallbackRequest.call_from, CallbackRequest.id)))


def transcript(session: Session, *, officer: User, conversation_id: str, client: str | None = None) -> Transcript:
    """A handed-off conversation's (redacted) transcript; reading it is recorded in the audit log."""
    require_role(officer, *STAFF_ROLES)
    conversation = session.get(Conversation, conversation_id)
    latest = session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc()).limit(1)
    )
    if conversation is None or latest is None:  # never handed off: not the contact centre's to read
        raise NotFound("There is no such conversation in the queue")
    record_access(session, actor=actor_for(officer), action="view_assistant_transcript",
                  subject_type="assistant_conversation", subject_id=conversation_id, purpose=READ_PURPOSE,
                  client=client)  # fmt: skip
    messages = list(
        session.scalars(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id))
    )
    wanted = {m.author_user_id for m in messages if m.author_user_id} | {
        u for u in (latest.assigned_user_id, latest.closed_by_user_id) if u
    }
    callbacks = session.scalars(
        select(CallbackRequest).where(CallbackRequest.conversation_id == conversation_id).order_by(CallbackRequest.id)
    )
    open_one = latest if latest.closed_at is None else None
    return Transcript(conversation, open_one, latest, messages, _names(session, wanted), list(callbacks))


def take_over(session: Session, *, officer: User, conversation_id: str, now: datetime) -> Handoff:
    """Assign the conversation to `officer` (from whoever had it: the page shows who that was)."""
    require_role(officer, *STAFF_ROLES)
    found = _open(session, conversation_id)
    if found.assigned_user_id != officer.id:
        found.assigned_user_id, found.assigned_at = officer.id, now
    session.flush()
    return found


def reply(session: Session, *, officer: User, conversation_id: str, text: str, now: datetime) -> Message:
    """The officer's message to the resident, in the same conversation. Replying to a conversation nobody has
    taken takes it over; one someone else has taken must be taken over first."""
    require_role(officer, *STAFF_ROLES)
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("Type your reply")
    if len(cleaned) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(f"A reply can be up to {MAX_MESSAGE_LENGTH:,} characters; this one has {len(cleaned):,}")
    found = _open(session, conversation_id)
    if found.assigned_user_id not in (None, officer.id):
        holder = officer_first_name(session, found.assigned_user_id)
        raise Conflict(f"{holder} has taken this conversation over. Take it over yourself before replying.")
    take_over(session, officer=officer, conversation_id=conversation_id, now=now)
    # Stored as written: the resident must read what the officer wrote (a council phone number is not redacted).
    message = Message(conversation_id=conversation_id, sender="officer", text=cleaned, created_at=now,
                      author_user_id=officer.id)  # fmt: skip
    session.add(message)
    session.flush()
    return message


def close(session: Session, *, officer: User, conversation_id: str, outcome: str, now: datetime) -> Handoff:
    """Close the hand-off with its outcome; the resident is told, and the assistant answers them again."""
    require_role(officer, *STAFF_ROLES)
    if outcome not in OUTCOMES or outcome == "returned":
        raise InvalidInput("Choose the outcome of the conversation")
    found = _finish(session, officer, conversation_id, outcome, now)
    _tell_resident(session, conversation_id, "A member of staff has closed this conversation. You can keep asking "
                   "the assistant, or ask for a person again.", now)  # fmt: skip
    return found


def return_to_assistant(session: Session, *, officer: User, conversation_id: str, now: datetime) -> Handoff:
    """Give the conversation back to the assistant (the resident's question was one it can answer)."""
    require_role(officer, *STAFF_ROLES)
    found = _finish(session, officer, conversation_id, "returned", now)
    _tell_resident(session, conversation_id, "You are talking to the assistant again. What can I help you with?", now)
    return found


def _open(session: Session, conversation_id: str) -> Handoff:
    found = open_handoff(session, conversation_id=conversation_id)
    if found is None:
        if session.get(Conversation, conversation_id) is None:
            raise NotFound("There is no such conversation in the queue")
        raise Conflict("This conversation is no longer waiting for a person: it has been closed")
    return found


def _finish(session: Session, officer: User, conversation_id: str, outcome: str, now: datetime) -> Handoff:
    found = _open(session, conversation_id)
    found.closed_at, found.closed_by_user_id, found.outcome = now, officer.id, outcome
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        conversation.handed_off = False
    session.flush()
    return found


def _tell_resident(session: Session, conversation_id: str, text: str, now: datetime) -> None:
    session.add(Message(conversation_id=conversation_id, sender="assistant", text=text, created_at=now))


def _names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {user_id: name for user_id, name in rows}
