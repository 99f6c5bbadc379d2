"""Transcripts are purged after the retention period; labelled examples outlive them, unlinked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.assistant.learning_factories import make_conversation
from townhall.assistant.labels import LabelledExample, label_message
from townhall.assistant.models import Conversation, Message
from townhall.assistant.retention import purge_expired
from townhall.config import Settings

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SETTINGS = Settings(environment="test", assistant_transcript_retention_days=30)


def _exists(session: Session, conversation: Conversation) -> bool:
    return session.get(Conversation, conversation.id) is not None


def test_purge_deletes_only_conversations_quiet_for_longer_than_the_period(session: Session) -> None:
    old, old_messages = make_conversation(
        session, [("resident", "my bin was missed", "bins.missed", 0.9), ("assistant", "Sorry.", None, None)],
        started=NOW - timedelta(days=31),
    )  # fmt: skip
    recent, _ = make_conversation(session, [("resident", "hello", "greeting", 0.9)], started=NOW - timedelta(days=29))
    still_going, _ = make_conversation(session, [("resident", "hi", "greeting", 0.9)], started=NOW - timedelta(days=40))
    session.add(Message(conversation_id=still_going.id, sender="resident", text="still there?", intent="greeting",
                        confidence=0.9, created_at=NOW - timedelta(days=2)))  # fmt: skip
    label_message(session, message_id=old_messages[0].id, intent="bins.missed", labelled_by=None)
    before = session.scalar(select(func.count()).select_from(Message))

    counts = purge_expired(session, now=NOW, settings=SETTINGS)

    assert counts["conversations"] >= 1 and counts["messages"] >= 2
    assert not _exists(session, old) and _exists(session, recent) and _exists(session, still_going)
    assert session.scalar(select(func.count()).select_from(Message)) == before - counts["messages"]
    assert session.scalar(select(func.count()).where(Message.conversation_id == old.id)) == 0
    kept = session.scalar(select(LabelledExample).where(LabelledExample.text == "my bin was missed"))
    assert kept is not None and kept.message_id is None and kept.intent == "bins.missed"
    assert purge_expired(session, now=NOW, settings=SETTINGS) == {"conversations": 0, "messages": 0, "callbacks": 0}


def test_a_longer_period_keeps_what_a_shorter_one_deletes(session: Session) -> None:
    conversation, _ = make_conversation(session, [("resident", "hello", "greeting", 0.9)],
                                        started=NOW - timedelta(days=45))  # fmt: skip
    purge_expired(session, now=NOW, settings=Settings(environment="test"))  # the default, 90 days
    assert _exists(session, conversation)
    purge_expired(session, now=NOW, settings=SETTINGS)
    assert not _exists(session, conversation)
