"""How long the assistant keeps conversations: `purge_expired` deletes those past the retention period.

A conversation expires `assistant_transcript_retention_days` after its last message (or its start, if it has
none), so a conversation still going on is never cut in two. Its messages go with it. Officers' labelled examples
stay, without their link to the message (see labels.py for why). Other parts of the assistant that keep
conversation data add their deletions here, and to the counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from townhall.assistant.callbacks import purge_callbacks
from townhall.assistant.models import Conversation, Message
from townhall.config import Settings


def retention_cutoff(*, now: datetime, settings: Settings) -> datetime:
    """Conversations quiet since before this moment have expired."""
    return now - timedelta(days=settings.assistant_transcript_retention_days)


def purge_expired(session: Session, *, now: datetime, settings: Settings) -> dict[str, int]:
    """Delete every expired conversation and its messages, and call-back requests that are done or past their
    own (shorter) retention period; returns how many of each were deleted."""
    callbacks = purge_callbacks(session, now=now, settings=settings)
    cutoff = retention_cutoff(now=now, settings=settings)
    recent_message = exists().where(Message.conversation_id == Conversation.id, Message.created_at >= cutoff)
    expired = select(Conversation.id).where(Conversation.started_at < cutoff, ~recent_message)
    ids = list(session.scalars(expired))
    counts = {"conversations": 0, "messages": 0, "callbacks": callbacks}
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start : start + 500]
        messages = session.execute(delete(Message).where(Message.conversation_id.in_(chunk)))
        conversations = session.execute(delete(Conversation).where(Conversation.id.in_(chunk)))
        counts["messages"] += int(messages.rowcount or 0)  # type: ignore[attr-defined]
        counts["conversations"] += int(conversations.rowcount or 0)  # type: ignore[attr-defined]
    session.expire_all()
    return counts
