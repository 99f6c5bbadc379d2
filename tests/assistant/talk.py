"""Helpers for dialogue tests: say something in a conversation, read the replies' text, options and links."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from townhall.assistant.dialogue import Reply, handle_message
from townhall.assistant.engine import IntentEngine
from townhall.assistant.models import Conversation

TODAY = date(2026, 11, 1)


def say(
    session: Session, engine: IntentEngine, conversation: Conversation, text: str, *, user_id: int | None = None,
    today: date = TODAY,
) -> Reply:  # fmt: skip
    return handle_message(
        session, conversation_id=conversation.id, text=text, engine=engine, today=today, user_id=user_id
    )


def all_text(reply: Reply) -> str:
    return "\n".join(part["text"] for part in reply.replies)


def labels(reply: Reply) -> list[str]:
    return [option["label"] for part in reply.replies for option in part["options"]]


def urls(reply: Reply) -> list[str]:
    return [link["url"] for part in reply.replies for link in part.get("links", [])]


def option_value(reply: Reply, label: str) -> str:
    return next(o["value"] for part in reply.replies for o in part["options"] if o["label"] == label)
