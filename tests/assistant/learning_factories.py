"""Conversations and messages for the learning-loop tests, written straight to the tables."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from townhall.assistant.models import Conversation, Message

WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def make_conversation(
    session: Session, lines: list[tuple[str, str, str | None, float | None]], *, started: datetime = WHEN,
    handed_off: bool = False,
) -> tuple[Conversation, list[Message]]:  # fmt: skip
    """A conversation of (sender, text, intent, confidence) lines, a minute apart."""
    conversation = Conversation(started_at=started, state={}, urgent=False, handed_off=handed_off)
    session.add(conversation)
    session.flush()
    messages = []
    for minute, (sender, text, intent, confidence) in enumerate(lines):
        message = Message(conversation_id=conversation.id, sender=sender, text=text, intent=intent,
                          confidence=confidence, created_at=started.replace(minute=minute % 60))  # fmt: skip
        session.add(message)
        messages.append(message)
    session.flush()
    return conversation, messages
