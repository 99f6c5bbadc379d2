"""The assistant's tables: conversations and their messages.

Residents' messages are stored only after `redaction.redact` has taken out postcodes, e-mail addresses, phone,
account, National Insurance and card numbers. A conversation's `state` is the dialogue's memory between messages
(which question it asked, which addresses it offered by UPRN, how many messages in a row it did not understand).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from townhall.db import Base
from townhall.service_requests.models import UtcDateTime

SENDERS = ("resident", "assistant", "officer")


def new_conversation_id() -> str:
    return str(uuid.uuid4())


class Conversation(Base):
    __tablename__ = "assistant_conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_conversation_id)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    handed_off: Mapped[bool] = mapped_column(Boolean, default=False)
    # The signed-in resident who started it; None for an anonymous conversation.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Started on the chat page without signing in: only the browser holding its signed cookie may read or add to it
    # (townhall/assistant/ownership.py).
    browser_bound: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Message(Base):
    __tablename__ = "assistant_messages"
    __table_args__ = (Index("ix_assistant_messages_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("assistant_conversations.id", ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(String(20))  # one of SENDERS
    text: Mapped[str] = mapped_column(Text)  # redacted
    intent: Mapped[str | None] = mapped_column(String(40))
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The officer who wrote it (sender "officer"); the buttons offered with an assistant's reply.
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    options: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    # Pages the reply points to (label and address: a knowledge article's, the resident's account), shown under it.
    links: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
