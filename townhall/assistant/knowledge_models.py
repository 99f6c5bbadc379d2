"""Knowledge articles: what the assistant says for intents that need no live data, written and edited by staff.

Seeded from the Markdown files in `townhall/assistant/knowledge/` when the table is empty; after that the table
is the source of truth and staff edit it at /assistant/knowledge.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from townhall.db import Base
from townhall.identity import models as _identity_models  # noqa: F401  (the users table `edited_by` refers to)
from townhall.service_requests.models import UtcDateTime


class KnowledgeArticle(Base):
    __tablename__ = "assistant_knowledge_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)  # the file name it came from, without .md
    title: Mapped[str] = mapped_column(String(200))
    intents: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(String(500), default="")
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"label", "url"}]
    body: Mapped[str] = mapped_column(Text)  # Markdown
    updated_on: Mapped[date] = mapped_column(Date)
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
