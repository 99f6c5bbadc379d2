"""The assistant's JSON shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ConversationStarted(BaseModel):
    conversation_id: str


class MessageIn(BaseModel):
    # The length limit is checked by the dialogue (after trimming) so the resident reads a sentence, not a schema.
    text: str = Field(max_length=100_000)


class OptionOut(BaseModel):
    value: str
    label: str


class LinkOut(BaseModel):
    label: str
    url: str


class ReplyPartOut(BaseModel):
    text: str
    options: list[OptionOut]
    links: list[LinkOut] = []  # added after `text` and `options`: clients that ignore it keep working


class ReplyOut(BaseModel):
    conversation_id: str
    intent: str
    confidence: float
    replies: list[ReplyPartOut]
    state: dict[str, Any]


class MessageOut(BaseModel):
    id: int
    sender: str  # resident, assistant or officer
    text: str  # as stored: a resident's words redacted
    created_at: datetime
    options: list[OptionOut]
    links: list[LinkOut] = []  # pages the reply points to, shown under its text
    author: str | None  # an officer's first name


class MessagesOut(BaseModel):
    conversation_id: str
    handed_off: bool
    messages: list[MessageOut]
