"""Passing a conversation to a person, and what happens while one has it.

The dialogue calls `hand_off` (on request, after two messages not understood) and `mark_urgent` (safeguarding).
In office hours the conversation joins the contact-centre queue and the resident's next messages go to the officer
(`passes_to_person`, one short acknowledgement); out of hours the assistant offers a call back (callbacks.py) and
keeps answering. The staff side of the same hand-off (queue, take over, reply, close) is in `staff.py`.
Service functions: no commit, errors for people.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.assistant import callbacks, office_hours
from townhall.assistant.handoff_models import Handoff
from townhall.assistant.models import Conversation, Message
from townhall.assistant.replies import ReplyPart, part
from townhall.config import Settings
from townhall.identity.models import User

PASSED_ON = "Your message has been passed to"
IN_HOURS = "I am passing this conversation to a member of staff. A person will reply here shortly."


def open_handoff(session: Session, *, conversation_id: str) -> Handoff | None:
    """The conversation's hand-off that no officer has closed yet, if any."""
    return session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.closed_at.is_(None))
    )


def start_handoff(
    session: Session, *, conversation: Conversation, reason: str, now: datetime, urgent: bool = False
) -> Handoff:
    """Put the conversation in the staff queue (or keep it there, urgent if it now is)."""
    found = open_handoff(session, conversation_id=conversation.id)
    if found is None:
        found = Handoff(conversation_id=conversation.id, reason=reason, urgent=urgent, requested_at=now)
        session.add(found)
    elif urgent and not found.urgent:
        found.urgent, found.reason = True, reason
    conversation.handed_off = True
    conversation.urgent = conversation.urgent or urgent
    session.flush()
    return found


def hand_off(
    session: Session,
    *,
    conversation: Conversation,
    reason: str,
    state: dict[str, object],
    settings: Settings,
    now: datetime,
) -> list[ReplyPart]:
    """The conversation goes to the queue; in office hours a person replies here, outside them a call back."""
    start_handoff(session, conversation=conversation, reason=reason, now=now)
    if office_hours.is_open(now, settings):
        return [part(IN_HOURS)]
    return callbacks.offer_callback(session, conversation_id=conversation.id, state=state, settings=settings, now=now)


def passes_to_person(
    session: Session, *, conversation: Conversation, settings: Settings, now: datetime
) -> Handoff | None:
    """The open hand-off when the resident's message is for a person: one has taken the conversation over, or it
    is waiting for one in office hours. Out of hours, unassigned, the assistant keeps answering."""
    if not conversation.handed_off:  # most conversations never are: no query for them
        return None
    found = open_handoff(session, conversation_id=conversation.id)
    if found is None:
        return None
    if found.assigned_user_id is not None or office_hours.is_open(now, settings):
        return found
    return None


def acknowledge(session: Session, *, handoff: Handoff) -> list[ReplyPart]:
    """ "Your message has been passed to Olu.", once until someone else speaks: not after every message."""
    last_reply = session.scalar(
        select(Message)
        .where(Message.conversation_id == handoff.conversation_id, Message.sender != "resident")
        .order_by(Message.id.desc())
        .limit(1)
    )
    if last_reply is not None and last_reply.sender == "assistant" and last_reply.text.startswith(PASSED_ON):
        return []
    return [part(f"{PASSED_ON} {officer_first_name(session, handoff.assigned_user_id)}.")]


def officer_first_name(session: Session, user_id: int | None) -> str:
    """How the resident knows the officer: their first name, or "the team" before anyone has taken over."""
    officer = session.get(User, user_id) if user_id is not None else None
    if officer is None or not officer.display_name.strip():
        return "the team"
    return officer.display_name.split()[0]


# Where a wrong answer can cost a resident money, a home or a fine: a doubtful guess there also offers a person.
MATTERS = ("counciltax.", "housing.", "parking.fine")
UNSURE_BELOW = 0.6
OFFER_A_PERSON = "I am not sure I have understood. If that is not what you asked, I can pass you to a person."
TALK_TO_A_PERSON = "talk to a person"


def offer_person_if_unsure(intent: str, confidence: float) -> list[ReplyPart]:
    """An extra reply offering a person when the engine acted on a guess it was unsure of about something that
    matters (its button sends "talk to a person", which hands off)."""
    if not intent.startswith(MATTERS) or confidence >= UNSURE_BELOW:
        return []
    return [part(OFFER_A_PERSON, [{"value": TALK_TO_A_PERSON, "label": "Talk to a person"}])]
