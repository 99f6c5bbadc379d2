"""What the assistant failed on, for the contact centre to label: one reason per resident message.

The reasons, from the stored messages alone (docs/assistant-engine.md, "Learning from conversations"):
- `handed_off`: the assistant passed the conversation to a person straight after this message (its next reply is
  the hand-off), or the message was a safeguarding concern (always handed to a person);
- `corrected`: misunderstood and corrected: the assistant did not understand the message (out of scope, or below
  the dialogue's confidence bar) and the resident's very next message in the conversation was understood, so it
  was most likely a rephrasing; the rephrasing's intent is offered as the suggested label;
- `out_of_scope`: the engine judged it out of scope;
- `low_confidence`: its best intent was below the dialogue's confidence bar.
A message with several reasons shows the first in that order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from townhall.assistant.dialogue import LOW_CONFIDENCE
from townhall.assistant.intents import OUT_OF_SCOPE, SAFEGUARDING
from townhall.assistant.labels import labels_for
from townhall.assistant.models import Conversation, Message

REASONS = {
    "handed_off": "Handed to a person",
    "corrected": "Misunderstood, then rephrased",
    "out_of_scope": "Out of scope",
    "low_confidence": "Low confidence",
}
# The first words of every hand-off reply (replies.hand_off); a test keeps the two in step.
HAND_OFF_OPENING = "I am passing this conversation to a member of staff"
CANDIDATE_LIMIT = 2_000  # the most recent possible failures examined per page view
CONTEXT_BEFORE, CONTEXT_AFTER = 3, 3


@dataclass(slots=True)
class Failure:
    message: Message
    reason: str
    context: list[Message]  # the messages around it in its conversation, oldest first, itself included
    suggested: str | None = None  # the intent of the resident's rephrasing, for `corrected`
    label: str | None = None  # the officer's label, once given

    @property
    def reason_name(self) -> str:
        return REASONS[self.reason]


@dataclass(slots=True)
class ReviewPage:
    failures: list[Failure]
    total: int  # failures matching the filter among those examined
    counts: dict[str, int] = field(default_factory=dict)  # per reason, before the filter


def understood(message: Message) -> bool:
    """The dialogue's own test: an intent other than out of scope, at or above its confidence bar."""
    return message.intent not in (None, OUT_OF_SCOPE) and (message.confidence or 0.0) >= LOW_CONFIDENCE


def failure_reason(messages: list[Message], index: int) -> tuple[str, str | None] | None:
    """Why the resident message at `index` of its conversation is a failure (and a suggested intent), or None."""
    message = messages[index]
    following = messages[index + 1 :]
    next_reply = next((m for m in following if m.sender == "assistant"), None)
    if message.intent == SAFEGUARDING or (next_reply is not None and next_reply.text.startswith(HAND_OFF_OPENING)):
        return "handed_off", None
    if understood(message):
        return None
    rephrasing = next((m for m in following if m.sender == "resident"), None)
    if rephrasing is not None and understood(rephrasing):
        return "corrected", rephrasing.intent
    return ("out_of_scope" if message.intent == OUT_OF_SCOPE else "low_confidence"), None


def _candidate_conversations(session: Session) -> list[str]:
    """Conversations with a possible failure, the most recent first."""
    possible = or_(
        Message.intent == OUT_OF_SCOPE, Message.confidence < LOW_CONFIDENCE, Message.intent == SAFEGUARDING,
        Conversation.handed_off.is_(True),
    )  # fmt: skip
    rows = session.execute(
        select(Message.conversation_id, Message.id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.sender == "resident", possible)
        .order_by(Message.id.desc())
        .limit(CANDIDATE_LIMIT)
    )
    return list(dict.fromkeys(conversation_id for conversation_id, _ in rows))


def failures(session: Session, *, reason: str | None = None, unlabelled_only: bool = False) -> ReviewPage:
    """The recent failures, newest first, each with its conversation around it and any label."""
    conversation_ids = _candidate_conversations(session)
    by_conversation: dict[str, list[Message]] = defaultdict(list)
    for start in range(0, len(conversation_ids), 500):
        chunk = conversation_ids[start : start + 500]
        for message in session.scalars(select(Message).where(Message.conversation_id.in_(chunk)).order_by(Message.id)):
            by_conversation[message.conversation_id].append(message)
    found: list[Failure] = []
    for messages in by_conversation.values():
        for index, message in enumerate(messages):
            if message.sender != "resident":
                continue
            judged = failure_reason(messages, index)
            if judged is not None:
                context = messages[max(0, index - CONTEXT_BEFORE) : index + CONTEXT_AFTER + 1]
                found.append(Failure(message, judged[0], context, judged[1]))
    labels = labels_for(session, [failure.message.id for failure in found])
    for failure in found:
        failure.label = labels.get(failure.message.id)
    counts = {name: sum(f.reason == name for f in found) for name in REASONS}
    chosen = [f for f in found if (reason is None or f.reason == reason) and not (unlabelled_only and f.label)]
    chosen.sort(key=lambda failure: failure.message.id, reverse=True)
    return ReviewPage(chosen, len(chosen), counts)


def failure_of(session: Session, *, message_id: int) -> Failure | None:
    """The failure a message is, if it is one (to record the reason with its label)."""
    message = session.get(Message, message_id)
    if message is None or message.sender != "resident":
        return None
    messages = list(
        session.scalars(select(Message).where(Message.conversation_id == message.conversation_id).order_by(Message.id))
    )
    index = next(i for i, m in enumerate(messages) if m.id == message_id)
    judged = failure_reason(messages, index)
    return None if judged is None else Failure(message, judged[0], [], judged[1])
